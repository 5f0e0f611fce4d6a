"""coursekit/grading/kernelclient.py: the grading run's kernel client is ready as soon as its kernel is, and
loses nothing a cell prints; its kernel manager ends the kernel as asked and looks for its end every 10 ms;
JudgedExecute's kernel managers are made so."""
import asyncio
import sys
import time

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager

from coursekit.grading import kernelclient
from coursekit.grading.preprocessors import JudgedExecute


async def _ready_seconds(km, client_class, rounds=3):
    """The shortest of ``rounds`` waits for a started kernel to be ready, with a new client each time."""
    best = float("inf")
    for _ in range(rounds):
        kc = client_class(parent=km, **km.get_connection_info(session=True))
        kc.start_channels()
        began = time.perf_counter()
        await kc.wait_for_ready(timeout=60)
        best = min(best, time.perf_counter() - began)
        kc.stop_channels()
    return best


async def _run_and_time():
    km = AsyncKernelManager(kernel_name="python3")
    km.kernel_cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernelclient.prompt(km)
    await km.start_kernel()
    try:
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)   # a kernel just started: its start-up messages are read
        reply_id = kc.execute("print('first cell')")
        said = []
        while True:
            msg = await kc.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") != reply_id:
                continue
            if msg["msg_type"] == "stream":
                said.append(msg["content"]["text"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        kc.stop_channels()
        ours = await _ready_seconds(km, kernelclient.PromptKernelClient)
        theirs = await _ready_seconds(km, AsyncKernelClient)
        began = time.perf_counter()
        await km.shutdown_kernel()   # as nbclient ends a notebook's kernel: asked to shut down, then waited for
        return type(kc), said, ours, theirs, time.perf_counter() - began, await km.is_alive()
    finally:
        if await km.is_alive():
            await km.shutdown_kernel(now=True)


def test_ready_at_once_nothing_printed_is_lost_and_the_kernel_ends():
    kind, said, ours, theirs, shutdown, alive = asyncio.run(_run_and_time())
    assert kind is kernelclient.PromptKernelClient
    assert "".join(said) == "first cell\n"
    # jupyter_client's client waits for 0.2 s of IOPub silence after the kernel answers; this one does not
    assert theirs >= 0.2 and ours < theirs - 0.1, (ours, theirs)
    assert not alive and shutdown < 30, shutdown


def test_judged_execute_gives_its_kernels_the_prompt_client():
    import nbformat

    step = JudgedExecute(kernel_name="python3")
    step.nb = nbformat.v4.new_notebook()
    km = step.create_kernel_manager()
    assert km.client_class == kernelclient.CLIENT and km.client_factory is kernelclient.PromptKernelClient
    assert isinstance(km.client(), kernelclient.PromptKernelClient)
    assert km._async_finish_shutdown.keywords == {"pollinterval": kernelclient.SHUTDOWN_POLL_S}
