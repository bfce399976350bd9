"""营销计划2.0: for partners in marketing plan 2.0 the phone and e-mail of leads are anonymised (匿名化处理)
everywhere the partner reads them — pages, exports, the API — and 外呼 calls the contact instead
(expansion.leads_calls: the call backend gets the real number, the partner never does).

- `contacts_masked(partner)`: whether the partner's contacts are masked (ExpansionProfile.marketing_plan_v2,
  set by operators). Read once per partner object (the reverse one-to-one is cached on it, a missing
  profile too).
- `mask_phone(s)`, `mask_email(s)`: the masked forms. A phone keeps its first three and last four digits when it
  has eleven or more characters (138****8000), else its first and last two; an e-mail keeps the first letters
  of its mailbox and its domain (zh****@example.com). A masked value never contains the whole original.
- `shown_contacts(lead, masked)`: (phone, e-mail) as the partner may see them.

Other areas showing contacts of a partner use these too (opportunities, sales tasks).
"""

from .models import ExpansionProfile

__all__ = ["contacts_masked", "mask_phone", "mask_email", "shown_contacts", "MASK"]

MASK = "****"


def contacts_masked(partner) -> bool:
    """Whether `partner` is in marketing plan 2.0 (its leads' phone and e-mail are masked)."""
    if partner is None:
        return False
    try:
        return bool(partner.expansion_profile.marketing_plan_v2)
    except ExpansionProfile.DoesNotExist:
        return False


def mask_phone(value) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    if len(text) >= 11:
        return text[:3] + MASK + text[-4:]
    if len(text) >= 7:
        return text[:2] + MASK + text[-2:]
    return MASK


def mask_email(value) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    mailbox, at, domain = text.rpartition("@")
    if not at or not mailbox:
        return text[:1] + MASK
    return mailbox[: 1 if len(mailbox) <= 4 else 2] + MASK + "@" + domain


def shown_contacts(lead, masked: bool) -> tuple[str, str]:
    """(phone, e-mail) of `lead` as its partner sees them."""
    if masked:
        return mask_phone(lead.phone), mask_email(lead.email)
    return lead.phone, lead.email
