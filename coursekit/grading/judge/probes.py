"""Kernel-side code the judges share to look inside a student's Keras model.

:data:`MODEL_PROBE` is plain Python source, run in the student's kernel inside a question (it assumes
``_np`` is NumPy, as the question prelude in :mod:`.wire` binds it). A judge puts it in front of its
own question code, which may then use:

- ``keras_base(layer)``: the Keras layer class ``layer`` is (a student's subclass of Conv2D is a
  Conv2D), or None for a layer of the student's own (a subclass of ``keras.layers.Layer`` itself);
- ``builtin(layer)``: ``keras_base(layer) is not None``;
- ``leaves(model)``: the leaf layers under ``model``, each once: Models and layers of one's own that
  hold layers are opened; Keras layers, and subclasses of them, are leaves even when they hold a
  layer (a Conv2D whose activation is a ReLU layer stays one layer); InputLayer is skipped;
- ``record_calls(model, x, training=False)``: runs ``model`` once on ``x`` with each leaf's ``call``
  wrapped, and returns ``(layer, output, eager)`` per leaf call in call order - the eager calls only,
  when there are any (an unbuilt model first runs its call() symbolically to build itself; all of
  them when call() is a tf.function). The wrappers are removed again, also on error.
  ``training=None`` calls ``model(x)`` without the argument;
- ``weighted(calls)``: the layers with weights among ``calls``, in the order of their first call.

:data:`ONE_STEP` (put in front of a question by itself, or after MODEL_PROBE) defines ``one_step(call,
*args, **kwargs)``: a single Keras step the judge asks for on its own batch - ``train_on_batch``,
``test_on_batch`` - run with ``tf.function`` switched to eager for its length. Keras traces a graph for
each such call on a new model (about half a second each, several per model), and a judge's one step
needs none; a student's training functions, which the judges ask to train in graph mode as in the
notebook, are never called through it.

The same semantics as ``coursekit.notebook.archcheck`` (``_arch_base``, ``_arch_leaves``,
``model_layers``), which the notebooks' visible checks use.
"""

MODEL_PROBE = '''
import keras
import tensorflow as tf

def keras_base(layer):
    return next((c for c in type(layer).__mro__ if c.__module__.startswith(("keras.src.layers.", "keras.layers"))
                 and c is not keras.layers.Layer), None)

def builtin(layer):
    return keras_base(layer) is not None

def leaves(model):
    found, seen = [], set()
    def visit(layer):
        for sub in getattr(layer, "_layers", []):
            if id(sub) not in seen:
                seen.add(id(sub))
                if isinstance(sub, keras.Model) or (getattr(sub, "_layers", None) and not builtin(sub)):
                    visit(sub)
                elif type(sub).__name__ != "InputLayer":
                    found.append(sub)
    visit(model)
    return found

def record_calls(model, x, training=False):
    calls, saved, missing = [], [], object()
    def wrap(layer, orig):
        def recording_call(*args, **kwargs):
            record = [layer, None, tf.executing_eagerly()]
            calls.append(record)
            record[1] = orig(*args, **kwargs)
            return record[1]
        return recording_call
    try:
        for layer in leaves(model):
            saved.append((layer, layer.__dict__.get("call", missing)))
            object.__setattr__(layer, "call", wrap(layer, layer.call))
        model(x) if training is None else model(x, training=training)
    finally:
        for layer, old in saved:
            layer.__dict__.pop("call", None) if old is missing else object.__setattr__(layer, "call", old)
    return [tuple(c) for c in calls if c[2]] or [tuple(c) for c in calls]

def weighted(calls):
    order, seen = [], set()
    for layer, _, _ in calls:
        if id(layer) not in seen and layer.weights:
            seen.add(id(layer))
            order.append(layer)
    return order
'''

ONE_STEP = '''
import tensorflow as tf

def one_step(call, *args, **kwargs):
    was = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    try:
        return call(*args, **kwargs)
    finally:
        tf.config.run_functions_eagerly(was)
'''
