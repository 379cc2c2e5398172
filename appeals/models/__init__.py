"""Citizens' appeals under 59-FZ (and the Ukrainian profile): the rows and their invariants.

Which transition is allowed to whom lives in ``workflow.py``; dates come from ``deadlines.py``;
every change goes through ``services.py``. Appeals and their history are never deleted.
"""

from .appeal import (  # noqa: F401
    Appeal,
    AppealEvent,
)
from .casefile import (  # noqa: F401
    AccessLog,
    Answer,
    Attachment,
    CoSigner,
    ExternalRequest,
    InternalNote,
    MailBatch,
    Rating,
    Reminder,
)
from .classifier import ClassifierCode  # noqa: F401
from .counts import StatusCount  # noqa: F401
from .notices import WorkNotice  # noqa: F401
from .setup import (  # noqa: F401
    AnswerTemplate,
    CabinetAppealSettings,
    Category,
    DeadlinePolicy,
    RegistrationSequence,
    RoutingRule,
)
