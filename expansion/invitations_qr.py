"""QR codes of invitation links, as PNG (qrcode + pypng: `qrcode.image.pure.PyPNGImage`, no Pillow) and SVG
(`qrcode.image.svg.SvgPathFillImage`: one path on a white background, so the quiet zone survives on a dark
page or flyer)."""

import io

import qrcode
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathFillImage

__all__ = ["png", "svg"]

BOX_SIZE = 10  # pixels per module of the PNG: about 370 px for a link, printable on a flyer
BORDER = 4     # the quiet zone the standard asks for


def _code(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=BOX_SIZE, border=BORDER)
    code.add_data(data)
    code.make(fit=True)
    return code


def png(data: str) -> bytes:
    out = io.BytesIO()
    _code(data).make_image(image_factory=PyPNGImage).save(out)
    return out.getvalue()


def svg(data: str) -> bytes:
    out = io.BytesIO()
    _code(data).make_image(image_factory=SvgPathFillImage).save(out)
    return out.getvalue()
