#!/usr/bin/python3
# A real SMTP server for the tests (Debian's python3-aiosmtpd), on a loopback port.
# Usage: smtp_server.py [--cert F --key F (--starttls | --implicit-tls)] [--auth USER:PASSWORD]
#                       [--refuse N] [--port P]
# Prints {"listening": PORT} once it accepts connections, then one JSON line per message it
# accepted ({"mail_from", "rcpt_tos", "data", "tls", "login"}) and one per refusal
# ({"refused": code}). --refuse N answers the first N messages with 451 (try again later).
import argparse
import asyncio
import json
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def emit(record):
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def login_of(session):
    data = getattr(session, "auth_data", None)
    if isinstance(data, LoginPassword):
        return data.login.decode()
    return None


class Handler:
    def __init__(self, refuse):
        self.refuse = refuse

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            emit({"refused": 451})
            return "451 4.3.0 Not now, try again later"
        emit({
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.original_content.decode("utf-8", "replace"),
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "login": login_of(session),
        })
        return "250 2.0.0 Ok: queued as test"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--starttls", action="store_true")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--auth")
    p.add_argument("--refuse", type=int, default=0)
    a = p.parse_args()

    context = None
    if a.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.cert, a.key)

    kwargs = {"decode_data": False, "hostname": "relay.test"}
    if a.starttls:
        kwargs.update(tls_context=context, require_starttls=True)
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and \
                auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False, auth_data=auth_data)

        kwargs.update(authenticator=authenticate, auth_required=True, auth_require_tls=bool(a.starttls))
    handler = Handler(a.refuse)

    async def run():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(handler, **kwargs), "127.0.0.1", a.port,
                                          ssl=context if a.implicit_tls else None)
        emit({"listening": server.sockets[0].getsockname()[1]})
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
