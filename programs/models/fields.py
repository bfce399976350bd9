"""What the programme models share."""

import hashlib

from django.db.models import Q

from ..choices import MembershipStatus

MONEY = {"max_digits": 18, "decimal_places": 2}
OPEN_MEMBERSHIP = Q(status__in=[MembershipStatus.APPLYING, MembershipStatus.JOINED])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
