"""Mail to contacts: the outbox (queued in the transaction that causes a mail), the composer
(translated, branded messages with signed links) and the mailer (SMTP, or `.eml` files).

`deliver_due` is the worker's pump: it claims due mails under a lease, composes and sends each,
and marks it sent (or retries later); see `domain.mail` for the retry rule.
"""

from consentry.services.mail.delivery import deliver_due, make_pump
from consentry.services.mail.mailer import EmlMailer, Mailer, SmtpMailer, make_mailer

__all__ = ["EmlMailer", "Mailer", "SmtpMailer", "deliver_due", "make_mailer", "make_pump"]
