"""A real SMTP server for the mail tests: it accepts every message and
writes it, as received, to DIR/<n>.eml (written whole, then renamed).

    /usr/bin/python3 tests/support/smtp_sink.py PORT DIR [REFUSE]

With REFUSE, every recipient whose address starts with "refuse" gets a
permanent 550. It prints "ready" once it listens, and runs until killed.
"""

import asyncio
import itertools
import os
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(len(os.listdir(directory)))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        part = os.path.join(self.directory, f"{os.getpid()}-{n:06}.part")
        with open(part, "wb") as f:
            f.write(envelope.original_content)
        os.rename(part, os.path.join(self.directory, f"{os.getpid()}-{n:06}.eml"))
        return "250 Message accepted"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
