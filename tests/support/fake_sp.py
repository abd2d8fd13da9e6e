"""The fake SP of ssoctl's contract, served on 127.0.0.1 for one test and stopped after."""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator

from ssoctl.rehearsal import fakesp


class _Quiet:
    """A request log that keeps nothing."""

    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


@contextlib.contextmanager
def serving(*, token: str, token_id: str, **options) -> Iterator[tuple[fakesp.ContractSp, str]]:
    """``(the SP, its base_url ending in /v2)`` while the server runs on a free port."""
    sp = fakesp.ContractSp(token=token, token_id=token_id, **options)
    server = fakesp.serve(sp, port=0, log=_Quiet())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    try:
        yield sp, f"http://127.0.0.1:{server.server_address[1]}/v2"
    finally:
        server.shutdown()
        server.server_close()
