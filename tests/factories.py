"""factory-boy factories for the core and customers models."""

import factory
from django.utils import timezone

from customers.models import Association, Customer, CustomerUser, Resource
from partnercenter import secretbox
from partnercenter.models import AccessKey, Member, Partner, Role, User


PASSWORD = "Secret-pass-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    account_name = factory.Sequence(lambda n: f"partner-{n}")
    name = factory.LazyAttribute(lambda p: f"{p.account_name} 有限公司")
    partner_type = "solution_provider"
    contracting_entity = "华为云计算技术有限公司"


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"role-{n}")
    permissions = factory.LazyFunction(list)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    display_name = factory.LazyAttribute(lambda m: m.user.username)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.roles.set(extracted)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    domain_name = factory.Sequence(lambda n: f"customer-{n:04d}")
    real_name = factory.Sequence(lambda n: f"客户公司{n}")
    email = factory.LazyAttribute(lambda c: f"{c.domain_name}@example.com")


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)
    association_type = "2"
    associated_on = factory.LazyFunction(timezone.now)


class CustomerUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerUser

    user = factory.SubFactory(UserFactory)
    customer = factory.SubFactory(CustomerFactory)
    is_owner = True


_counter = iter(range(10**6))


def make_access_key(user, *, partner=None, secret=None, ak=None):
    """A key with a known SK, stored as the service stores it."""
    n = next(_counter)
    secret = secret or f"TestSecretKey{n:06d}".ljust(40, "S")
    key = AccessKey.objects.create(
        ak=ak or f"TESTAK{n:014d}", sk_encrypted=secretbox.encrypt(secret), user=user, partner=partner
    )
    return key, secret


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    customer = factory.SubFactory(CustomerFactory)
    charging_mode = "on_demand"
    resource_id = factory.Sequence(lambda n: f"res-{n:08d}-0000-4000-8000-{n:012d}")
    resource_name = factory.Sequence(lambda n: f"ecs-{n:04d}")
    service_type_code = "hws.service.type.ec2"
    service_type_name = "弹性云服务器"
    resource_type_code = "hws.resource.type.vm"
    resource_type_name = "云主机"
    region_code = "cn-north-4"
    resource_spec_code = "s6.small.1.linux"
    status = 1
    effective_time = factory.LazyFunction(timezone.now)
