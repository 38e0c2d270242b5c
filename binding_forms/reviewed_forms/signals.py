"""What a reviewed submission tells the rest of the site."""

from django.dispatch import Signal

# Sent once a submission's review has started (``resent=False``) or resumed after changes were
# requested (``resent=True``), from the background job that started it; ``sender`` is the
# submission's model, ``submission`` the instance. Receivers (the confirmation mail) run in that
# job's transaction: a replayed job does not send it again.
submission_sent = Signal()
