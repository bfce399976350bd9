"""Wire shapes of the catalogue's CBC endpoints, named after the official SDK's models.

Names follow `X-Language` (Huawei's default is Chinese): the views pass `english` in the serializer
context, and `NameField` picks `name_en` (falling back to the Chinese name when a row has none) or `name`.
"""

import base64
import binascii

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from partnercenter.api.fields import OptionalCharField
from partnercenter.api.pagination import OffsetLimitSerializer
from partnercenter.api.parsers import UNSTORABLE

from ..choices import ChargeMode

__all__ = [
    "NameField", "ListServiceTypesQuery", "ListServiceTypesResponse", "ListResourceTypesQuery",
    "ListResourceTypesResponse", "ListUsageTypesQuery", "ListUsageTypesResponse", "ListMeasureUnitsResponse",
    "ListConversionsQuery", "ListConversionsResponse", "ListServiceResourcesQuery", "ListServiceResourcesResponse",
    "ResourceSpecsQueryReq", "ListResourceSpecsResponse", "encode_marker",
]


def _pick(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


@extend_schema_field(OpenApiTypes.STR)
class NameField(serializers.Field):
    """The name of a catalogue row in the language the caller asked for: `zh` and `en` are attribute paths."""

    def __init__(self, *, zh="name", en="name_en", **kwargs):
        self.zh, self.en = zh, en
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj):
        chinese = _pick(obj, self.zh)
        if self.context.get("english"):
            return _pick(obj, self.en) or chinese
        return chinese


class NotEmptyIntegerField(serializers.IntegerField):
    """An integer query parameter that may be left out but not sent empty (`?limit=`): DRF would take an
    empty one as left out; Huawei refuses it (此参数不支持携带值为空)."""

    def get_value(self, dictionary):
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "":
            return ""  # → "A valid integer is required."
        return super().get_value(dictionary)


class RequiredLimitSerializer(OffsetLimitSerializer):
    limit = NotEmptyIntegerField(required=False, min_value=1, default=10)


# GET /v2/products/service-types ------------------------------------------------------------------

class ListServiceTypesQuery(OffsetLimitSerializer):
    service_type_name = OptionalCharField(max_length=128)


class ServiceTypes(serializers.Serializer):
    service_type_name = NameField()
    service_type_code = serializers.CharField(source="code")
    abbreviation = serializers.CharField()


class ListServiceTypesResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    service_types = ServiceTypes(many=True)


# GET /v2/products/resource-types -----------------------------------------------------------------

class ListResourceTypesQuery(OffsetLimitSerializer):
    pass


class ResourceTypes(serializers.Serializer):
    resource_type_code = serializers.CharField(source="code")
    resource_type_name = NameField()
    resource_type_desc = serializers.CharField(source="description")
    service_type_code = serializers.CharField(source="service_type.code")


class ListResourceTypesResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    resource_types = ResourceTypes(many=True)


# GET /v2/products/usage-types --------------------------------------------------------------------

class ListUsageTypesQuery(OffsetLimitSerializer):
    # absent or null: no filter; an empty string filters (Huawei: 携带值为空串时，作为筛选条件)
    resource_type_code = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=64)


class UsageType(serializers.Serializer):
    code = serializers.CharField()
    name = NameField()
    resource_type_code = serializers.CharField(source="resource_type.code")
    service_type_code = serializers.CharField(source="resource_type.service_type.code")
    resource_type_name = NameField(zh="resource_type.name", en="resource_type.name_en")
    service_type_name = NameField(zh="resource_type.service_type.name", en="resource_type.service_type.name_en")


class ListUsageTypesResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    usage_types = UsageType(many=True)


# GET /v2/bases/measurements ----------------------------------------------------------------------

class MeasureUnitRest(serializers.Serializer):
    measure_id = serializers.IntegerField()
    measure_name = NameField()
    abbreviation = serializers.CharField()
    measure_type = serializers.IntegerField()


class ListMeasureUnitsResponse(serializers.Serializer):
    measure_units = MeasureUnitRest(many=True)


# GET /v2/bases/conversions -----------------------------------------------------------------------

class ListConversionsQuery(serializers.Serializer):
    # absent or null: no filter; an empty string is refused (不支持携带值为空串)
    measure_type = NotEmptyIntegerField(required=False, min_value=0, max_value=2**31 - 1)


class Conversion(serializers.Serializer):
    measure_id = serializers.IntegerField()
    ref_measure_id = serializers.IntegerField()
    conversion_ratio = serializers.IntegerField(source="ratio")
    measure_type = serializers.IntegerField()


class ListConversionsResponse(serializers.Serializer):
    conversions = Conversion(many=True)


# GET /v2/products/service-resources --------------------------------------------------------------

class ListServiceResourcesQuery(RequiredLimitSerializer):
    service_type_code = OptionalCharField(max_length=64)


class ResourceBasicInfo(serializers.Serializer):
    resource_type_code = serializers.CharField(source="code")
    product_owner_service = serializers.CharField(source="service_type.code")
    name = NameField()
    description = serializers.CharField()


class ServiceResourceInfo(serializers.Serializer):
    basic_info = ResourceBasicInfo(source="*")


class ListServiceResourcesResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    infos = ServiceResourceInfo(many=True)


# POST /v2/products/resource-specs-query ----------------------------------------------------------

def encode_marker(spec: str) -> str:
    """The next page's marker: the last spec of this page, opaque to the caller."""
    return base64.urlsafe_b64encode(spec.encode()).decode().rstrip("=")


class ResourceSpecsFilter(serializers.Serializer):
    key = serializers.ChoiceField(choices=["RESOURCE_SPEC"])
    value = serializers.CharField(max_length=64)


class ResourceSpecsQueryReq(serializers.Serializer):
    cloud_service_type = serializers.CharField(max_length=64)
    resource_type = serializers.CharField(max_length=64)
    region_code = serializers.CharField(max_length=32)
    charge_mode = serializers.ChoiceField(choices=[str(ChargeMode.PERIOD.value), str(ChargeMode.ON_DEMAND.value)])
    filters = ResourceSpecsFilter(many=True, required=False, allow_null=True, max_length=1)
    marker = OptionalCharField(max_length=256)
    limit = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=100, default=100)

    def validate_marker(self, value):
        if not value:
            return None
        try:
            spec = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        except (binascii.Error, ValueError):
            spec = None
        if not spec or UNSTORABLE.search(spec):
            raise serializers.ValidationError(_("The marker is not one this endpoint returned."))
        return spec


class PageInfo(serializers.Serializer):
    next_marker = serializers.CharField(allow_null=True)


class CloudServiceBasic(serializers.Serializer):
    cloud_service_type = serializers.CharField(source="service_type.code")
    cloud_service_type_name = NameField(zh="service_type.name", en="service_type.name_en")
    resource_type = serializers.CharField(source="resource_type.code")
    resource_type_name = NameField(zh="resource_type.name", en="resource_type.name_en")
    resource_spec = serializers.CharField()
    resource_spec_name = NameField(zh="spec_name", en="spec_name_en")
    charge_mode = serializers.SerializerMethodField()
    region_code = serializers.CharField(source="region.code")

    def get_charge_mode(self, product) -> str:
        return str(product.charge_mode)


class ListResourceSpecsResponse(serializers.Serializer):
    page_info = PageInfo()
    cloud_service_basics = CloudServiceBasic(many=True)
