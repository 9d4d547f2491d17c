"""Mail out, through the SMTP server the settings name (SMTP_*), with the standard library's smtplib."""

import smtplib
from email.message import EmailMessage

from settings.env import Smtp

TIMEOUT = 10  # seconds for the connection and each command


def send(smtp: Smtp, to: list[str], subject: str, body: str) -> None:
    """One message to `to`; smtplib.SMTPException or OSError when the server refuses or cannot be reached."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = smtp.sender, ", ".join(to), subject
    message.set_content(body)
    client_class = smtplib.SMTP_SSL if smtp.tls == "ssl" else smtplib.SMTP
    with client_class(smtp.host, smtp.port, timeout=TIMEOUT) as client:
        if smtp.tls == "starttls":
            client.starttls()
        if smtp.user:
            client.login(smtp.user, smtp.password)
        client.send_message(message)
