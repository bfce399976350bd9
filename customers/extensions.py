"""What higher apps add to a customer's detail page (ARCHITECTURE rule 11: customers import none of them;
they register here from their AppConfig.ready / hooks module).

`register_detail_link(describe)`: `describe(request, customer) -> dict | None` returns a link shown under the
customer's account details — `{"id": "enterprise-link", "label": "…", "url": "…"}` — or None to show
nothing (expansion: the customer's 企业百科 entry). Each describe must read a constant number of
statements (the detail page shows one customer).
"""

__all__ = ["register_detail_link", "detail_links"]

_DETAIL_LINKS = []


def register_detail_link(describe) -> None:
    if describe not in _DETAIL_LINKS:
        _DETAIL_LINKS.append(describe)


def detail_links(request, customer) -> list[dict]:
    links = []
    for describe in _DETAIL_LINKS:
        link = describe(request, customer)
        if link:
            links.append(link)
    return links
