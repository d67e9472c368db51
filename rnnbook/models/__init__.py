"""The chapter's model zoo. Importing this package registers every built-in model.

The import order is the registration order, which is the order ``rnnbook models`` lists them in:
baselines first, then recurrent, gated, convolutional and classical models, then the seasonal baselines
and the forecasters' standard ones (ETS, auto-ARIMA, Theta).
"""

# The order matters (see above): import sorting is off here.
# isort: off
from rnnbook.models import baselines  # noqa: F401  (imported to register)
from rnnbook.models import simple_rnn  # noqa: F401
from rnnbook.models import lstm_gru  # noqa: F401
from rnnbook.models import conv  # noqa: F401
from rnnbook.models import arma  # noqa: F401
from rnnbook.models import seasonal  # noqa: F401
from rnnbook.models import statistical  # noqa: F401
# isort: on
