"""Seconds per full-mode training epoch of each lesson's model, on whatever accelerator Keras finds.

Not part of `make test`: run it by hand on a GPU machine, once per Keras backend, e.g.

    KERAS_BACKEND=tensorflow python benchmarks/gpu_epochs.py --out gpu.jsonl
    KERAS_BACKEND=jax        python benchmarks/gpu_epochs.py --out gpu.jsonl   # XLA-compiled steps
    KERAS_BACKEND=torch      python benchmarks/gpu_epochs.py --out gpu.jsonl   # eager cuDNN kernels

Each workload is one lesson's full-mode training as the notebook runs it: the solution's model
(`solutions/`), the notebook's optimizer, loss, batch size, training-set size and per-epoch
validation. The data are random images of the real shapes (speed does not depend on what the
pixels show). For each precision policy (float32, mixed_float16) the script compiles the step with
a short warm-up fit, then times `--steps` training steps and a pass over the validation images, and
extrapolates to one epoch:

    epoch_s = step_s * ceil(n_train / batch) + eval_s_per_image * n_val

`--table FILE...` prints the README's table (seconds per epoch by backend and precision, and
the minutes of a whole full-mode run) from such files instead of measuring; the figures committed
in benchmarks/results/ were measured that way.

It appends one JSON object per (workload, precision) to --out as soon as it is measured, so a run cut
short still leaves its figures. The model code is the solutions' own; lesson 01's module imports
TensorFlow for its data pipeline, so its `MyModel` class is read out of the file on its own and runs
on any backend.
"""
from __future__ import annotations

import argparse
import ast
import json
import math
import platform
import sys
import time
import traceback
from pathlib import Path

import numpy as np

if __name__ == "__main__" and "--table" in sys.argv:  # no Keras needed to print a table
    keras = layers = None
else:
    import keras
    from keras import layers

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))



def load_class(path, name):
    """The class `name` from the module file `path`, without importing the module (whose other
    imports may not exist on this machine). The class may use `keras` and `layers`."""
    tree = ast.parse(Path(path).read_text(), filename=str(path))
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)
    namespace = {"keras": keras, "layers": layers}
    exec(compile(ast.Module(body=[node], type_ignores=[]), str(path), "exec"), namespace)
    return namespace[name]


def workloads():
    """name -> (lesson, build_fn, compile_kwargs_fn, input_shape, batch, n_train, n_val, epochs, labels)."""
    from solutions import l02_cifar10_vgg16_brief as l02
    from solutions import l03_cifar10_cnn_ensemble as l03
    from solutions import l04_cifar10_vgg16_batchnorm as l04
    from solutions import l05_vggnet_why_deep_nets_fail as l05

    MyModel = load_class(ROOT / "solutions" / "l01_mnist_vgg_subclassing.py", "MyModel")

    def adam(lr=1e-3):
        return lambda: keras.optimizers.Adam(lr)

    def recipe_model():
        model = l04.build_vgg16_bn()
        inputs = keras.Input((32, 32, 3))
        return keras.Model(inputs, model(l04.make_augmenter()(inputs)))

    def sgd_recipe():
        return keras.optimizers.SGD(keras.optimizers.schedules.CosineDecay(0.05, 10_000),
                                    momentum=0.9, nesterov=True)

    sparse, onehot = "sparse_categorical_crossentropy", "categorical_crossentropy"
    # name: lesson, model factory, optimizer factory, loss, input shape, batch, n_train, n_val, epochs
    return {
        "01_mnist_vgg": ("01", MyModel, adam(), sparse, (28, 28, 1), 32, 60_000, 10_000, 5),
        "02_vgg16_brief": ("02", l02.build_model, adam(), sparse, (32, 32, 3), 256, 50_000, 5_000, 100),
        "04_vgg16_bn_adam": ("04", l04.build_vgg16_bn, adam(), onehot, (32, 32, 3), 64, 45_000, 5_000, 20),
        "04_vgg16_bn_recipe": ("04", recipe_model, sgd_recipe, onehot, (32, 32, 3), 128, 45_000, 5_000, 30),
        "05_plain_vgg16": ("05", lambda: l05.build_plain_vgg16(fc=4096, base=64), adam(), sparse,
                           (32, 32, 3), 32, 40_000, 10_000, 10),
        "05_vgg16_bn": ("05", lambda: l05.build_vgg16_bn(fc=4096, base=64), adam(), sparse,
                        (32, 32, 3), 32, 40_000, 10_000, 10),
        "03_ensemble_member": ("03", lambda: l03.build_model(), adam(), sparse, (32, 32, 3), 100, 50_000, 0, 80),
    }


def random_batch(rng, n, shape, loss):
    x = rng.random((n, *shape), dtype=np.float32)
    y = rng.integers(0, 10, size=n)
    if loss == "categorical_crossentropy":
        y = np.eye(10, dtype=np.float32)[y]
    return x, y


def measure(name, spec, policy, steps, warm_steps, rng):
    lesson, build, optimizer, loss, shape, batch, n_train, n_val, epochs = spec
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(0)
    try:
        model = build()
        model(np.zeros((1, *shape), np.float32))  # builds subclassed models too
        model.compile(optimizer=optimizer(), loss=loss, metrics=["accuracy"])
        x, y = random_batch(rng, batch * steps, shape, loss)
        t0 = time.perf_counter()
        model.fit(x[:batch * warm_steps], y[:batch * warm_steps], batch_size=batch, epochs=1,
                  shuffle=False, verbose=0)
        warm_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)
        step_s = (time.perf_counter() - t0) / steps
        eval_per_image = 0.0
        if n_val:
            xv, yv = x[:min(len(x), 4096)], y[:min(len(y), 4096)]
            model.evaluate(xv[:256], yv[:256], batch_size=256, verbose=0)  # compile the test step
            t0 = time.perf_counter()
            model.evaluate(xv, yv, batch_size=256, verbose=0)
            eval_per_image = (time.perf_counter() - t0) / len(xv)
        steps_per_epoch = math.ceil(n_train / batch)
        epoch_s = step_s * steps_per_epoch + eval_per_image * n_val
        return {"workload": name, "lesson": lesson, "policy": policy, "ok": True,
                "params": int(model.count_params()), "batch": batch, "steps_per_epoch": steps_per_epoch,
                "step_ms": round(step_s * 1e3, 3), "images_per_s": round(batch / step_s, 1),
                "epoch_s": round(epoch_s, 2), "epochs": epochs,
                "training_min": round(epoch_s * epochs / 60, 1), "warmup_s": round(warm_s, 1),
                "timed_steps": steps, "error": None}
    except Exception as exc:  # one failing workload must not lose the others' figures
        return {"workload": name, "lesson": lesson, "policy": policy, "ok": False,
                "error": f"{type(exc).__name__}: {str(exc)[:300]}",
                "trace": traceback.format_exc()[-1500:]}
    finally:
        keras.backend.clear_session()


def device_info():
    backend = keras.backend.backend()
    info = {"backend": backend, "keras": keras.__version__, "python": platform.python_version()}
    if backend == "jax":
        import jax
        info.update(framework=f"jax {jax.__version__}", devices=[str(d) for d in jax.devices()])
    elif backend == "torch":
        import torch
        info.update(framework=f"torch {torch.__version__}",
                    devices=[torch.cuda.get_device_name(0)] if torch.cuda.is_available() else ["cpu"])
    else:
        import tensorflow as tf
        info.update(framework=f"tensorflow {tf.__version__}",
                    devices=[d.name for d in tf.config.list_physical_devices()])
    return info


COLUMNS = (("jax", "float32"), ("jax", "mixed_float16"), ("torch", "float32"), ("torch", "mixed_float16"))


def table(paths):
    """Markdown table of the rows in the JSON-lines files `paths` (the last row of each workload,
    backend and precision wins): seconds of training steps per epoch (step time x steps; the
    validation pass is left out: its timing includes a constant set-up cost on the JAX backend),
    and the minutes of a whole full-mode run at the fastest of the four."""
    rows = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            row = json.loads(line)
            if row.get("ok"):
                rows[row["workload"], row["backend"], row["policy"]] = row
    lines = ["| workload | batch x steps | XLA fp32 | XLA mixed | eager fp32 | eager mixed "
             "| epochs | whole run (fastest) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for w in dict.fromkeys(w for w, _, _ in rows):
        cells = [rows.get((w, b, p)) for b, p in COLUMNS]
        secs = [c["step_ms"] * c["steps_per_epoch"] / 1e3 if c else None for c in cells]
        some = next(c for c in cells if c)
        best = min(t for t in secs if t is not None)
        lines.append(f"| {w} | {some['batch']} x {some['steps_per_epoch']} | "
                     + " | ".join(f"{t:.1f} s" if t is not None else "-" for t in secs)
                     + f" | {some['epochs']} | {best * some['epochs'] / 60:.1f} min |")
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--table":
        print(table(argv[1:]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="JSON-lines file to append to")
    parser.add_argument("--steps", type=int, default=60, help="timed training steps per workload")
    parser.add_argument("--warm-steps", type=int, default=5, help="warm-up (compilation) steps")
    parser.add_argument("--only", default="", help="comma-separated workload names (default: all)")
    parser.add_argument("--policies", default="float32,mixed_float16")
    args = parser.parse_args(argv)
    info = device_info()
    print(json.dumps(info), flush=True)
    specs = workloads()
    names = [n for n in specs if not args.only or n in args.only.split(",")]
    rng = np.random.default_rng(0)
    with open(args.out, "a") as out:
        for name in names:
            for policy in args.policies.split(","):
                row = {**info, **measure(name, specs[name], policy, args.steps, args.warm_steps, rng)}
                line = json.dumps(row)
                print(line if row["ok"] else json.dumps({k: v for k, v in row.items() if k != "trace"}),
                      flush=True)
                out.write(line + "\n")
                out.flush()


if __name__ == "__main__":
    main()
