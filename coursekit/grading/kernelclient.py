"""The kernel client of a grading run: jupyter_client's asynchronous client, ready as soon as its kernel is.

jupyter_client's ``wait_for_ready`` (``KernelClient._async_wait_for_ready``), once the kernel has answered
``kernel_info``, reads IOPub until it has been silent for 0.2 s. The kernel has nothing more to say by then,
so every kernel a grading run starts waits 0.2 s doing nothing: about a twentieth of grading a lesson 01
submission, and time in which neither the grading process nor the kernel uses a core. Here the client is
ready when the kernel has answered ``kernel_info`` on the shell channel AND IOPub has delivered the idle
status of the latest such request (asked again at once when it does not come: IOPub was not connected
yet) - so IOPub is connected and nothing the first cell prints can be lost, which is what jupyter_client's
waits make sure of; what the channels already hold is then read without waiting. (A message of those
requests that came later would be of no cell: nbclient reads only the replies to its own requests.)
``JudgedExecute.create_kernel_manager`` gives it to its kernel manager.
"""
from __future__ import annotations

import functools
import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient

ASYNC_CLIENT = "jupyter_client.asynchronous.AsyncKernelClient"
CLIENT = f"{__name__}.PromptKernelClient"
REPLY_WAIT_S = 1.0    # as jupyter_client: ask again when a kernel_info request got no reply in this time
IOPUB_WAIT_S = 0.05   # the kernel has answered: its idle status comes at once, unless IOPub was not connected
                      # yet when it was sent (ZeroMQ drops what a subscriber is not there to receive): ask again


class PromptKernelClient(AsyncKernelClient):

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        reply = None
        while True:
            last = self.kernel_info()
            until = time.monotonic() + REPLY_WAIT_S
            while reply is None:   # any kernel_info reply: the kernel answers its requests in order
                try:
                    msg = await self.shell_channel.get_msg(timeout=max(0.0, until - time.monotonic()))
                except Empty:
                    break
                if msg["msg_type"] == "kernel_info_reply":
                    reply = msg
            if reply is not None and await self._idle_on_iopub(last, time.monotonic() + IOPUB_WAIT_S):
                break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        self._handle_kernel_info_reply(reply)
        # The idle status of the last request: every earlier message is sent. Read what is there, without waiting.
        for channel in (self.iopub_channel, self.shell_channel):
            while True:
                try:
                    await channel.get_msg(timeout=0)
                except Empty:
                    break

    async def _idle_on_iopub(self, msg_id: str, until: float) -> bool:
        """Whether IOPub delivers, before ``until``, the ``idle`` status of request ``msg_id``."""
        while time.monotonic() < until:
            try:
                msg = await self.iopub_channel.get_msg(timeout=max(0.0, until - time.monotonic()))
            except Empty:
                return False
            if (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
                    and msg.get("parent_header", {}).get("msg_id") == msg_id):
                return True
        return False


SHUTDOWN_POLL_S = 0.01   # jupyter_client's 0.1 s: an ended kernel's process was waited on for a tenth of a second


def prompt(km) -> None:
    """Make an asynchronous kernel manager prompt: its clients are :class:`PromptKernelClient`, and after a
    shutdown request it looks whether the kernel has ended every 10 ms instead of every 100 ms."""
    if getattr(km, "client_class", None) == ASYNC_CLIENT:
        km.client_class = CLIENT
    finish = getattr(type(km), "_async_finish_shutdown", None)
    if finish is not None:
        km._async_finish_shutdown = functools.partial(finish, km, pollinterval=SHUTDOWN_POLL_S)
