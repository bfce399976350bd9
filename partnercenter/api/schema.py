"""drf-spectacular: describe the AK/SK signature as the API's security scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

__all__ = ["SignatureAuthenticationScheme"]


class SignatureAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "partnercenter.api.authentication.SignatureAuthentication"
    name = "AkSkSignature"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<…;x-sdk-date>, Signature=<hex>, "
            "with X-Sdk-Date (YYYYMMDDTHHMMSSZ, within 15 minutes) among the signed headers.",
        }
