"""E-mail over SMTP (stdlib smtplib): Azure Communication Services' SMTP endpoint in Azure
(STARTTLS on 587 with the app's credentials), a local server in development. `send` mails a
letter (its PDF and further files attached); `send_notice` a short note with files but no PDF
(a meeting's cancellation with its .ics).

Logs carry the message id only: never the address, the subject or the body.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from domain.letters.artifacts import Attachment
from settings import Settings

log = logging.getLogger(__name__)


class SmtpMailer:
    def __init__(self, host: str, port: int, sender: str, *, use_tls: bool = True,
                 username: str | None = None, password: str | None = None, timeout: float = 30) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._use_tls, self._username, self._password = use_tls, username, password
        self._timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return cls(settings.smtp_host, settings.smtp_port, settings.smtp_sender,
                   use_tls=settings.smtp_use_tls, username=settings.smtp_username, password=password)

    def send(self, to: str, subject: str, body: str, attachment: bytes, filename: str,
             extra: tuple[Attachment, ...] = ()) -> str:
        """Send one message; returns its Message-ID. SMTP errors propagate (the trigger retries)."""
        message = self._message(to, subject, body)
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename=filename)
        return self._send(message, extra, "letter")

    def send_notice(self, to: str, subject: str, body: str, attachments: tuple[Attachment, ...] = ()) -> str:
        """Send one message with no PDF; returns its Message-ID. SMTP errors propagate."""
        return self._send(self._message(to, subject, body), attachments, "notice")

    def _message(self, to: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._sender, to, subject
        message["Message-ID"] = make_msgid(domain=self._sender.rpartition("@")[2] or None)
        message.set_content(body)
        return message

    def _send(self, message: EmailMessage, files: tuple[Attachment, ...], what: str) -> str:
        for more in files:
            # "text/calendar; method=REQUEST": the parameters go on the Content-Type header
            kind, *rest = (part.strip() for part in more.content_type.split(";"))
            maintype, _, subtype = kind.partition("/")
            params = dict(p.partition("=")[::2] for p in rest if p)
            message.add_attachment(more.content, maintype=maintype, subtype=subtype, filename=more.filename,
                                   params=params)
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
            if self._use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if self._username:
                smtp.login(self._username, self._password or "")
            smtp.send_message(message)
        log.info("%s e-mail sent: message %s", what, message["Message-ID"])
        return str(message["Message-ID"])
