"""A partner's standing, what it signed and the benefits of its path.

Rules the tables keep:
- A partner is in a programme at most once at a time (one APPLYING or JOINED membership), and on a
  development path once, at one stage; a stage belongs to its path.
- An agreement is signed once per partner; the signature keeps who, when and from where, and
  `applied_at` marks that its contracting entity (签约主体) was written to the partner — the switch
  happens once, at the later of the effective time and the signature.
- A registration link (注册新账号) is stored as a hash, valid 24 hours, used once.
- A member is a project specialist of a path at most once at a time (APPLYING or APPROVED); a
  cancelled or rejected one may apply again.
- The bank account of 商业信息认证 is stored encrypted (partnercenter.secretbox), shown by its last 4.
- Uploaded materials are stored in private storage (programs/storage.py), never under static.

One module per area — definitions (programmes, levels, paths, stages, requirements), memberships, reviews,
agreements (and 商业信息认证), people (profiles, 项目专员), benefits, resellers — and fields for what they share;
every name is importable from `programs.models` as before.
"""

from .fields import MONEY, OPEN_MEMBERSHIP, _hash  # noqa: F401 (the package's names, as they were one module)
from .definitions import (  # noqa: F401
    CertifiedSolution, Path, Program, ProgramLevel, Requirement, RequirementConfirmation, Stage,
)
from .memberships import (  # noqa: F401
    LevelRequest, Membership, PathEnrolment, RegistrationLink,
)
from .reviews import (  # noqa: F401
    Material, Review, ReviewSubmission, _material_path,
)
from .agreements import (  # noqa: F401
    Agreement, AgreementSignature, BusinessCertification,
)
from .people import (  # noqa: F401
    MemberProfile, ProjectSpecialist,
)
from .benefits import (  # noqa: F401
    Badge, ExamCoupon, TestCouponApplication, TestCouponPackage,
)
from .resellers import (  # noqa: F401
    ResellerRequest,
)
