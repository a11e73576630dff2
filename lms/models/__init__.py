"""Database models, one module per area. Importing this package registers every table."""
from lms.models.admin import ApiToken, Target  # noqa: F401
from lms.models.audit import AuditEntry  # noqa: F401
from lms.models.certificates import Certificate, IssuingBody  # noqa: F401
from lms.models.content import (  # noqa: F401
    Competence,
    CompetenceArea,
    Course,
    CourseCompetence,
    CourseModule,
    CourseTargetGroup,
    Lesson,
    PackageProblem,
)
from lms.models.people import AccountOrigin, LoginSession, Role, TargetGroup, User  # noqa: F401
from lms.models.places import Place, PlaceKind  # noqa: F401
from lms.models.progress import LessonProgress  # noqa: F401
from lms.models.quiz import QuizAttempt, QuizQuestion, QuizResponse  # noqa: F401
from lms.models.teaching import (  # noqa: F401
    Assignment,
    AssignmentLearner,
    ClassGroup,
    ClassInvitation,
    ClassMember,
    ClassTeacher,
    GuidanceSession,
    Mentorship,
    SignInCode,
)
