"""Variants of lesson 01 (see tests/variants/__init__.py): a reduced VGG-16 on MNIST, subclassed,
trained with tf.GradientTape loops."""
from tests.variants import correct, wrong

VARIANTS = [
    # ---- prepare_images ------------------------------------------------------------------------
    correct("prepare_images", "numpy_expand_dims", """
        def prepare_images(images):
            return np.expand_dims(images.astype("float32") / 255.0, axis=-1)
    """),
    correct("prepare_images", "reshape", """
        def prepare_images(images):
            x = tf.cast(images, tf.float32) / 255.0
            return tf.reshape(x, (-1, images.shape[1], images.shape[2], 1)).numpy()
    """),
    correct("prepare_images", "tf_expand_dims_divide_first", """
        def prepare_images(images):
            scaled = tf.math.divide(tf.cast(images, "float32"), 255.)
            return tf.expand_dims(scaled, -1).numpy()
    """),
    wrong("prepare_images", "none_index_returns_tensor", """
        def prepare_images(images):
            return (tf.convert_to_tensor(images, dtype=tf.float32) / 255)[:, :, :, None]
    """, r"must return a NumPy array, found EagerTensor\. Turn a tf\.Tensor into one with \.numpy\(\)"),
    wrong("prepare_images", "tf_newaxis_tensor_no_numpy", """
        def prepare_images(images):
            # the post's tf.newaxis, but the tensor is returned as it is
            images = tf.cast(images, tf.float32) / 255.0
            return images[..., tf.newaxis]
    """, r"must return a NumPy array, found EagerTensor"),
    wrong("prepare_images", "divides_by_225", """
        def prepare_images(images):
            return (images / 225.0).astype("float32")[..., np.newaxis]
    """, r"should be images / 255"),
    wrong("prepare_images", "divides_by_256", """
        def prepare_images(images):
            return (tf.cast(images, tf.float32) / 256.0)[..., tf.newaxis].numpy()
    """, r"should be images / 255"),
    wrong("prepare_images", "no_channel_axis", """
        def prepare_images(images):
            return images.astype("float32") / 255.0
    """, r"expected shape \(2, 28, 28, 1\), found \(2, 28, 28\)"),
    wrong("prepare_images", "channel_axis_first", """
        def prepare_images(images):
            return (images.astype("float32") / 255.0)[:, np.newaxis]
    """, r"expected shape \(2, 28, 28, 1\), found \(2, 1, 28, 28\)"),
    wrong("prepare_images", "float64_left", """
        def prepare_images(images):
            return (images / 255.0)[..., np.newaxis]
    """, r"expected dtype float32, found float64"),
    # ---- make_datasets -------------------------------------------------------------------------
    correct("make_datasets", "keywords", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            train = tf.data.Dataset.from_tensor_slices((x_train, y_train))
            train = train.shuffle(buffer_size=shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
            return train.batch(batch_size=batch_size), tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size)
    """),
    correct("make_datasets", "whole_set_buffer_prefetch_1", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            pairs = tf.data.Dataset.from_tensor_slices((x_train, y_train))
            return (pairs.shuffle(len(x_train), seed=seed).batch(batch_size).prefetch(1),
                    tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size).prefetch(1))
    """),
    correct("make_datasets", "zip_of_two_datasets", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            def pairs(x, y):
                return tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(x),
                                            tf.data.Dataset.from_tensor_slices(y)))
            train_ds = pairs(x_train, y_train).shuffle(shuffle_buffer, seed).batch(batch_size)
            test_ds = pairs(x_test, y_test).batch(batch_size)
            return train_ds, test_ds
    """),
    correct("make_datasets", "cache_before_shuffle", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).cache()
            train_ds = train_ds.shuffle(shuffle_buffer, seed=seed).batch(batch_size).prefetch(tf.data.AUTOTUNE)
            test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).cache().batch(batch_size)
            return train_ds, test_ds
    """),
    wrong("make_datasets", "batch_then_shuffle", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            train = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(batch_size).shuffle(shuffle_buffer, seed=seed)
            return train, tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size)
    """, r"Shuffle \*before\* batching"),
    wrong("make_datasets", "never_shuffled", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            return (tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(batch_size),
                    tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size))
    """, r"not shuffled"),
    wrong("make_datasets", "test_set_shuffled", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            def pipeline(x, y):
                return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(shuffle_buffer, seed=seed).batch(batch_size)
            return pipeline(x_train, y_train), pipeline(x_test, y_test)
    """, r"original order \(no shuffle\)"),
    wrong("make_datasets", "cache_after_shuffle", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            train = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(shuffle_buffer, seed=seed).cache()
            return train.batch(batch_size), tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size)
    """, r"same order every epoch"),
    wrong("make_datasets", "fixed_batch_size", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            train = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(shuffle_buffer, seed=seed).batch(32)
            return train, tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(32)
    """, r"make 7 batches"),
    # ---- MyModel -------------------------------------------------------------------------------
    correct("my_model", "nested_sequential_blocks", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                def block(filters):
                    return keras.Sequential([layers.Conv2D(filters, 3, padding="same", activation="relu"),
                                             layers.Conv2D(filters, 3, padding="same", activation="relu"),
                                             layers.MaxPooling2D(2)])
                self.block1, self.block2 = block(32), block(64)
                self.head = keras.Sequential([layers.Flatten(), layers.Dense(128, activation="relu"),
                                              layers.Dense(10, activation="softmax", dtype="float32")])

            def call(self, x):
                return self.head(self.block2(self.block1(x)))
    """),
    correct("my_model", "list_of_layers_keywords", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.stack = []
                for filters in (32, 64):
                    self.stack += [layers.Conv2D(filters=filters, kernel_size=(3, 3), padding="same", activation="relu"),
                                   layers.Conv2D(filters=filters, kernel_size=(3, 3), padding="same", activation="relu"),
                                   layers.MaxPool2D(pool_size=(2, 2))]
                self.stack += [layers.Flatten(), layers.Dense(units=128, activation="relu"),
                               layers.Dense(units=10, activation="softmax", dtype="float32")]

            def call(self, inputs):
                for layer in self.stack:
                    inputs = layer(inputs)
                return inputs
    """),
    correct("my_model", "layer_subclass_blocks_shared_pool", """
        class ConvBlock(layers.Layer):
            def __init__(self, filters, **kwargs):
                super().__init__(**kwargs)
                self.a = layers.Conv2D(filters, (3, 3), padding="same", activation=tf.nn.relu)
                self.b = layers.Conv2D(filters, (3, 3), padding="same", activation=tf.nn.relu)

            def call(self, x):
                return self.b(self.a(x))


        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.block1 = ConvBlock(32)
                self.block2 = ConvBlock(64)
                self.pool = layers.MaxPooling2D()
                self.flat = layers.Flatten()
                self.fc = layers.Dense(128, activation="relu")
                self.out = layers.Dense(10, activation="softmax", dtype="float32")

            def call(self, x, training=False):
                x = self.pool(self.block1(x))
                x = self.pool(self.block2(x))
                return self.out(self.fc(self.flat(x)))
    """),
    correct("my_model", "separate_relu_and_softmax_layers", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.c1 = layers.Conv2D(32, 3, padding="same", activation="relu")
                self.c2 = layers.Conv2D(32, 3, padding="same", activation="relu")
                self.c3 = layers.Conv2D(64, 3, padding="same", activation="relu")
                self.c4 = layers.Conv2D(64, 3, padding="same", activation="relu")
                self.p1, self.p2 = layers.MaxPooling2D(2), layers.MaxPooling2D(2)
                self.f = layers.Flatten()
                self.d1 = layers.Dense(128, activation="relu")
                self.d2 = layers.Dense(10, activation="softmax", dtype="float32")

            def call(self, x):
                x = self.p1(self.c2(self.c1(x)))
                x = self.p2(self.c4(self.c3(x)))
                return self.d2(self.d1(self.f(x)))
    """),
    wrong("my_model", "padding_valid", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.convs = [layers.Conv2D(f, 3, activation="relu") for f in (32, 32, 64, 64)]
                self.pools = [layers.MaxPooling2D(2), layers.MaxPooling2D(2)]
                self.flatten = layers.Flatten()
                self.dense = layers.Dense(128, activation="relu")
                self.classifier = layers.Dense(10, activation="softmax", dtype="float32")

            def call(self, x):
                x = self.pools[0](self.convs[1](self.convs[0](x)))
                x = self.pools[1](self.convs[3](self.convs[2](x)))
                return self.classifier(self.dense(self.flatten(x)))
    """, r"padding"),
    wrong("my_model", "no_softmax", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.convs = [layers.Conv2D(f, 3, padding="same", activation="relu") for f in (32, 32, 64, 64)]
                self.pools = [layers.MaxPooling2D(2), layers.MaxPooling2D(2)]
                self.flatten = layers.Flatten()
                self.dense = layers.Dense(128, activation="relu")
                self.classifier = layers.Dense(10)

            def call(self, x):
                x = self.pools[0](self.convs[1](self.convs[0](x)))
                x = self.pools[1](self.convs[3](self.convs[2](x)))
                return self.classifier(self.dense(self.flatten(x)))
    """, r"softmax"),
    wrong("my_model", "softmax_twice", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.convs = [layers.Conv2D(f, 3, padding="same", activation="relu") for f in (32, 32, 64, 64)]
                self.pools = [layers.MaxPooling2D(2), layers.MaxPooling2D(2)]
                self.flatten = layers.Flatten()
                self.dense = layers.Dense(128, activation="relu")
                self.classifier = layers.Dense(10, activation="softmax", dtype="float32")

            def call(self, x):
                x = self.pools[0](self.convs[1](self.convs[0](x)))
                x = self.pools[1](self.convs[3](self.convs[2](x)))
                return tf.nn.softmax(self.classifier(self.dense(self.flatten(x))))
    """, r"softmax|probabilities"),
    wrong("my_model", "one_conv_per_block", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.net = [layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
                            layers.Conv2D(64, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
                            layers.Flatten(), layers.Dense(128, activation="relu"),
                            layers.Dense(10, activation="softmax", dtype="float32")]

            def call(self, x):
                for layer in self.net:
                    x = layer(x)
                return x
    """, r"Conv2D|layer"),
    wrong("my_model", "sequential_not_subclass", """
        def _vgg():
            return keras.Sequential([
                layers.Conv2D(32, 3, padding="same", activation="relu"), layers.Conv2D(32, 3, padding="same", activation="relu"),
                layers.MaxPooling2D(2),
                layers.Conv2D(64, 3, padding="same", activation="relu"), layers.Conv2D(64, 3, padding="same", activation="relu"),
                layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(128, activation="relu"),
                layers.Dense(10, activation="softmax", dtype="float32")])
        MyModel = _vgg
    """, r"subclass"),
    # ---- make_train_step / make_test_step ------------------------------------------------------
    correct("train_test_steps", "apply_and_update_state", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            @tf.function
            def train_step(images, labels):
                with tf.GradientTape() as tape:
                    predictions = model(images, training=True)
                    loss = loss_object(labels, predictions)
                    scaled = optimizer.scale_loss(loss)
                optimizer.apply(tape.gradient(scaled, model.trainable_variables), model.trainable_variables)
                train_loss.update_state(loss)
                train_accuracy.update_state(labels, predictions)
            return train_step

        def make_test_step(model, loss_object, test_loss, test_accuracy):
            @tf.function
            def test_step(images, labels):
                predictions = model(images, training=False)
                test_loss.update_state(loss_object(labels, predictions))
                test_accuracy.update_state(labels, predictions)
            return test_step
    """),
    correct("train_test_steps", "tf_function_wrapped_at_return", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            def step(x, y):
                with tf.GradientTape() as tape:
                    probs = model(x, training=True)
                    loss = loss_object(y, probs)
                    grads = tape.gradient(optimizer.scale_loss(loss), model.trainable_weights)
                optimizer.apply_gradients(list(zip(grads, model.trainable_weights)))
                train_loss(loss)
                train_accuracy(y, probs)
            return tf.function(step)

        def make_test_step(model, loss_object, test_loss, test_accuracy):
            def step(x, y):
                probs = model(x)
                test_loss(loss_object(y, probs))
                test_accuracy(y, probs)
            return tf.function(step)
    """),
    correct("train_test_steps", "returns_the_loss_and_persistent_tape", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            @tf.function
            def train_step(images, labels):
                with tf.GradientTape(persistent=False) as tape:
                    predictions = model(images, training=True)
                    loss = loss_object(y_true=labels, y_pred=predictions)
                    scaled_loss = optimizer.scale_loss(loss)
                variables = model.trainable_variables
                optimizer.apply_gradients(zip(tape.gradient(scaled_loss, variables), variables))
                train_loss.update_state(values=loss)
                train_accuracy.update_state(y_true=labels, y_pred=predictions)
                return loss
            return train_step

        def make_test_step(model, loss_object, test_loss, test_accuracy):
            @tf.function(reduce_retracing=True)
            def test_step(images, labels):
                predictions = model(images, training=False)
                t_loss = loss_object(labels, predictions)
                test_loss(t_loss)
                test_accuracy(labels, predictions)
                return t_loss
            return test_step
    """),
    wrong("train_test_steps", "no_loss_scaling", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            @tf.function
            def train_step(images, labels):
                with tf.GradientTape() as tape:
                    predictions = model(images, training=True)
                    loss = loss_object(labels, predictions)
                optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
                train_loss(loss)
                train_accuracy(labels, predictions)
            return train_step

        def make_test_step(model, loss_object, test_loss, test_accuracy):
            @tf.function
            def test_step(images, labels):
                predictions = model(images, training=False)
                test_loss(loss_object(labels, predictions))
                test_accuracy(labels, predictions)
            return test_step
    """, r"optimizer\.scale_loss\(loss\)", loses="train_step_hidden"),
    wrong("train_test_steps", "metrics_after_the_update", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            @tf.function
            def train_step(images, labels):
                with tf.GradientTape() as tape:
                    loss = loss_object(labels, model(images, training=True))
                    scaled = optimizer.scale_loss(loss)
                optimizer.apply_gradients(zip(tape.gradient(scaled, model.trainable_variables), model.trainable_variables))
                predictions = model(images, training=False)
                train_loss(loss_object(labels, predictions))
                train_accuracy(labels, predictions)
            return train_step

        def make_test_step(model, loss_object, test_loss, test_accuracy):
            @tf.function
            def test_step(images, labels):
                predictions = model(images, training=False)
                test_loss(loss_object(labels, predictions))
                test_accuracy(labels, predictions)
            return test_step
    """, r"train_loss after one step", loses="train_step_hidden"),
    wrong("train_test_steps", "no_tf_function", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            def train_step(images, labels):
                with tf.GradientTape() as tape:
                    predictions = model(images, training=True)
                    loss = loss_object(labels, predictions)
                    scaled = optimizer.scale_loss(loss)
                optimizer.apply_gradients(zip(tape.gradient(scaled, model.trainable_variables), model.trainable_variables))
                train_loss(loss)
                train_accuracy(labels, predictions)
            return train_step

        def make_test_step(model, loss_object, test_loss, test_accuracy):
            def test_step(images, labels):
                predictions = model(images, training=False)
                test_loss(loss_object(labels, predictions))
                test_accuracy(labels, predictions)
            return test_step
    """, r"@tf\.function", loses=("train_step_hidden", "test_step_hidden")),
    wrong("train_test_steps", "test_step_trains", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            @tf.function
            def train_step(images, labels):
                with tf.GradientTape() as tape:
                    predictions = model(images, training=True)
                    loss = loss_object(labels, predictions)
                    scaled = optimizer.scale_loss(loss)
                optimizer.apply_gradients(zip(tape.gradient(scaled, model.trainable_variables), model.trainable_variables))
                train_loss(loss)
                train_accuracy(labels, predictions)
            return train_step

        def make_test_step(model, loss_object, test_loss, test_accuracy):
            optimizer = keras.optimizers.SGD(0.1)
            @tf.function
            def test_step(images, labels):
                with tf.GradientTape() as tape:
                    predictions = model(images, training=False)
                    loss = loss_object(labels, predictions)
                optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
                test_loss(loss)
                test_accuracy(labels, predictions)
            return test_step
    """, r"must not change the model's weights", loses="test_step_hidden"),
    wrong("train_test_steps", "test_accuracy_never_updated", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            @tf.function
            def train_step(images, labels):
                with tf.GradientTape() as tape:
                    predictions = model(images, training=True)
                    loss = loss_object(labels, predictions)
                    scaled = optimizer.scale_loss(loss)
                optimizer.apply_gradients(zip(tape.gradient(scaled, model.trainable_variables), model.trainable_variables))
                train_loss(loss)
                train_accuracy(labels, predictions)
            return train_step

        def make_test_step(model, loss_object, test_loss, test_accuracy):
            @tf.function
            def test_step(images, labels):
                test_loss(loss_object(labels, model(images, training=False)))
            return test_step
    """, r"test_accuracy", loses="test_step_hidden"),
    # ---- run_epochs ----------------------------------------------------------------------------
    correct("run_epochs", "reset_at_the_end_of_each_epoch", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            metrics = [train_loss, train_accuracy, test_loss, test_accuracy]
            for m in metrics:
                m.reset_state()
            history = {k: [] for k in ("loss", "accuracy", "test_loss", "test_accuracy")}
            for epoch in range(1, epochs + 1):
                for x, y in train_ds:
                    train_step(x, y)
                for x, y in test_ds:
                    test_step(x, y)
                history["loss"].append(float(train_loss.result()))
                history["accuracy"].append(float(train_accuracy.result()) * 100)
                history["test_loss"].append(float(test_loss.result()))
                history["test_accuracy"].append(float(test_accuracy.result()) * 100)
                if verbose:
                    print(epoch, {k: round(v[-1], 4) for k, v in history.items()})
                for m in metrics:
                    m.reset_state()
            return history
    """),
    correct("run_epochs", "post_style_print_and_numpy_floats", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            history = dict(loss=[], accuracy=[], test_loss=[], test_accuracy=[])
            for epoch in range(epochs):
                train_loss.reset_state(); train_accuracy.reset_state()
                test_loss.reset_state(); test_accuracy.reset_state()
                for images, labels in train_ds:
                    train_step(images, labels)
                for test_images, test_labels in test_ds:
                    test_step(test_images, test_labels)
                values = (train_loss.result().numpy().item(), train_accuracy.result().numpy().item() * 100,
                          test_loss.result().numpy().item(), test_accuracy.result().numpy().item() * 100)
                for key, value in zip(("loss", "accuracy", "test_loss", "test_accuracy"), values):
                    history[key].append(value)
                if verbose:
                    template = "Epoch {}, Loss: {}, Accuracy: {}, Test Loss: {}, Test Accuracy: {}"
                    print(template.format(epoch + 1, *values))
            return history
    """),
    correct("run_epochs", "reset_states_loop_and_list_comprehension", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            keys = ["loss", "accuracy", "test_loss", "test_accuracy"]
            metrics = [train_loss, train_accuracy, test_loss, test_accuracy]
            history = {key: [] for key in keys}
            for epoch in range(epochs):
                [m.reset_state() for m in metrics]
                for batch in train_ds:
                    train_step(*batch)
                for batch in test_ds:
                    test_step(*batch)
                for key, m in zip(keys, metrics):
                    value = float(m.result())
                    history[key].append(value * 100 if "accuracy" in key else value)
            if verbose:
                for i in range(epochs):
                    print(f"epoch {i + 1}: " + ", ".join(f"{k} {history[k][i]:.3f}" for k in keys))
            return history
    """),
    wrong("run_epochs", "metrics_never_reset", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            history = {"loss": [], "accuracy": [], "test_loss": [], "test_accuracy": []}
            for epoch in range(epochs):
                for images, labels in train_ds:
                    train_step(images, labels)
                for images, labels in test_ds:
                    test_step(images, labels)
                history["loss"].append(float(train_loss.result()))
                history["accuracy"].append(float(train_accuracy.result()) * 100)
                history["test_loss"].append(float(test_loss.result()))
                history["test_accuracy"].append(float(test_accuracy.result()) * 100)
            return history
    """, r"reset the metrics"),
    wrong("run_epochs", "only_train_metrics_reset", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            history = {"loss": [], "accuracy": [], "test_loss": [], "test_accuracy": []}
            for epoch in range(epochs):
                train_loss.reset_state()
                train_accuracy.reset_state()
                for images, labels in train_ds:
                    train_step(images, labels)
                for images, labels in test_ds:
                    test_step(images, labels)
                history["loss"].append(float(train_loss.result()))
                history["accuracy"].append(float(train_accuracy.result()) * 100)
                history["test_loss"].append(float(test_loss.result()))
                history["test_accuracy"].append(float(test_accuracy.result()) * 100)
            return history
    """, r"per-epoch test loss"),
    wrong("run_epochs", "accuracy_as_fraction", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            metrics = (train_loss, train_accuracy, test_loss, test_accuracy)
            history = {"loss": [], "accuracy": [], "test_loss": [], "test_accuracy": []}
            for epoch in range(epochs):
                for m in metrics:
                    m.reset_state()
                for images, labels in train_ds:
                    train_step(images, labels)
                for images, labels in test_ds:
                    test_step(images, labels)
                for key, m in zip(history, metrics):
                    history[key].append(float(m.result()))
            return history
    """, r"percent"),
    wrong("run_epochs", "tensors_not_floats", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            metrics = (train_loss, train_accuracy, test_loss, test_accuracy)
            history = {"loss": [], "accuracy": [], "test_loss": [], "test_accuracy": []}
            for epoch in range(epochs):
                for m in metrics:
                    m.reset_state()
                for images, labels in train_ds:
                    train_step(images, labels)
                for images, labels in test_ds:
                    test_step(images, labels)
                history["loss"].append(train_loss.result())
                history["accuracy"].append(train_accuracy.result() * 100)
                history["test_loss"].append(test_loss.result())
                history["test_accuracy"].append(test_accuracy.result() * 100)
            return history
    """, r"Python floats"),
    # ---- more prepare_images: other students --------------------------------------------------------
    correct("prepare_images", "convert_image_dtype_axis_3", """
        def prepare_images(images):
            # convert_image_dtype scales integer images into [0, 1] by itself
            floats = tf.image.convert_image_dtype(images, dtype=tf.float32)
            return tf.expand_dims(floats, axis=3).numpy()
    """),
    correct("prepare_images", "rescaling_layer", """
        def prepare_images(images):
            rescale = layers.Rescaling(scale=1.0 / 255)
            return np.array(rescale(images[..., np.newaxis]), dtype="float32")
    """),
    correct("prepare_images", "image_by_image_loop", """
        def prepare_images(images):
            out = np.empty(images.shape + (1,), dtype=np.float32)
            for i, image in enumerate(images):
                out[i, :, :, 0] = image / 255.0
            return out
    """),
    wrong("prepare_images", "reshape_to_fixed_28x28", """
        def prepare_images(images):
            x = images.astype(np.float32) / 255.0
            return x.reshape(len(x), 28, 28, 1)
    """, r"cannot reshape array.*\(\d+,\s*28,\s*28,\s*1\)"),
    wrong("prepare_images", "resized_to_28x28", """
        def prepare_images(images):
            x = tf.cast(images[..., tf.newaxis], tf.float32) / 255.0
            return tf.image.resize(x, (28, 28)).numpy()   # MNIST size, to be safe
    """, r"expected shape \(\d+, \d+, \d+, 1\), found \(\d+, 28, 28, 1\)"),
    wrong("prepare_images", "rounded_to_two_decimals", """
        def prepare_images(images):
            return np.round(images[..., None] / 255, 2).astype("float32")
    """, r"should be images / 255"),
    wrong("prepare_images", "half_precision_division", """
        def prepare_images(images):
            small = tf.cast(images, tf.float16) / 255   # half the memory
            return tf.cast(small[..., tf.newaxis], tf.float32).numpy()
    """, r"should be images / 255"),
    # ---- more make_datasets ---------------------------------------------------------------------
    correct("make_datasets", "shuffled_indices_gathered_per_batch", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            images, labels = tf.constant(x_train), tf.constant(y_train)
            train_ds = (tf.data.Dataset.range(len(x_train))
                        .shuffle(shuffle_buffer, seed=seed)
                        .batch(batch_size)
                        .map(lambda idx: (tf.gather(images, idx), tf.gather(labels, idx))))
            test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size)
            return train_ds, test_ds
    """),
    correct("make_datasets", "helper_and_experimental_autotune", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            AUTOTUNE = tf.data.experimental.AUTOTUNE

            def to_pairs(images, labels):
                return tf.data.Dataset.from_tensor_slices((tf.convert_to_tensor(images, tf.float32),
                                                           tf.convert_to_tensor(labels)))

            train_ds = to_pairs(x_train, y_train)
            train_ds = train_ds.shuffle(buffer_size=min(shuffle_buffer, len(x_train)), seed=seed)
            train_ds = train_ds.batch(batch_size, drop_remainder=False, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)
            test_ds = to_pairs(x_test, y_test).batch(batch_size, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)
            return train_ds, test_ds
    """),
    wrong("make_datasets", "shuffled_once_not_every_epoch", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train))
            train_ds = train_ds.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=False).batch(batch_size)
            return train_ds, tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size)
    """, r"same order every epoch"),
    wrong("make_datasets", "one_hot_labels", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            def pipeline(x, y):
                return tf.data.Dataset.from_tensor_slices((x, tf.one_hot(y, depth=10)))
            train_ds = pipeline(x_train, y_train).shuffle(shuffle_buffer, seed=seed).batch(batch_size)
            return train_ds, pipeline(x_test, y_test).batch(batch_size)
    """, r"batch of labels: expected shape \(16,\), found \(16, 10\)"),
    wrong("make_datasets", "from_tensors_not_slices", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            train_ds = tf.data.Dataset.from_tensors((x_train, y_train)).shuffle(shuffle_buffer, seed=seed).batch(batch_size)
            test_ds = tf.data.Dataset.from_tensors((x_test, y_test)).batch(batch_size)
            return train_ds, test_ds
    """, r"make 7 batches .*found 1"),
    wrong("make_datasets", "test_batched_with_default_32", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(shuffle_buffer, seed=seed)
            train_ds = train_ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
            test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(32).prefetch(tf.data.AUTOTUNE)
            return train_ds, test_ds
    """, r"30 test images in batches of 16 make 2 batches; found 1"),
    # ---- more MyModel ---------------------------------------------------------------------------
    correct("my_model", "activation_functions_not_names", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                relu = keras.activations.relu
                self.features = [
                    layers.Conv2D(32, (3, 3), padding="same", activation=relu),
                    layers.Conv2D(32, (3, 3), padding="same", activation=tf.nn.relu),
                    layers.MaxPooling2D(pool_size=2, strides=2),
                    layers.Conv2D(64, (3, 3), padding="same", activation=relu),
                    layers.Conv2D(64, (3, 3), padding="same", activation=tf.nn.relu),
                    layers.MaxPooling2D(pool_size=2, strides=2),
                ]
                self.flat = layers.Flatten()
                self.hidden = layers.Dense(128, activation=tf.keras.activations.relu)
                self.probs = layers.Dense(10, activation=keras.activations.softmax, dtype="float32")

            def call(self, inputs, training=None):
                x = inputs
                for layer in self.features:
                    x = layer(x, training=training)
                return self.probs(self.hidden(self.flat(x)))
    """),
    correct("my_model", "conv2d_subclass", """
        class SameConv3x3(layers.Conv2D):
            \"\"\"The VGG brick: a 3x3 convolution, 'same' padding, ReLU.\"\"\"
            def __init__(self, filters, **kwargs):
                super().__init__(filters, kernel_size=3, padding="same", activation="relu", **kwargs)


        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.block1 = [SameConv3x3(32), SameConv3x3(32), layers.MaxPool2D()]
                self.block2 = [SameConv3x3(64), SameConv3x3(64), layers.MaxPool2D()]
                self.head = [layers.Flatten(), layers.Dense(128, activation="relu"),
                             layers.Dense(10, activation="softmax", dtype="float32")]

            def call(self, x):
                for layer in self.block1 + self.block2 + self.head:
                    x = layer(x)
                return x
    """),
    correct("my_model", "nested_model_subclass_blocks", """
        class VGGBlockModel(keras.Model):
            def __init__(self, filters, **kwargs):
                super().__init__(**kwargs)
                self.conv_a = layers.Conv2D(filters, 3, padding="same", activation="relu")
                self.conv_b = layers.Conv2D(filters, 3, padding="same", activation="relu")
                self.pool = layers.MaxPooling2D(2)

            def call(self, x, training=False):
                return self.pool(self.conv_b(self.conv_a(x)))


        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.block_1 = VGGBlockModel(32)
                self.block_2 = VGGBlockModel(64)
                self.classifier = keras.Sequential([layers.Flatten(), layers.Dense(128, activation="relu"),
                                                    layers.Dense(10, activation="softmax", dtype="float32")])

            def call(self, x, training=False):
                x = self.block_1(x, training=training)
                x = self.block_2(x, training=training)
                return self.classifier(x, training=training)
    """),
    correct("my_model", "functional_graph_inside", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                inputs = keras.Input(shape=(28, 28, 1))
                x = inputs
                for filters in (32, 64):
                    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
                    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
                    x = layers.MaxPooling2D()(x)
                x = layers.Dense(128, activation="relu")(layers.Flatten()(x))
                outputs = layers.Dense(10, activation="softmax", dtype="float32")(x)
                self.vgg = keras.Model(inputs, outputs, name="reduced_vgg16")

            def call(self, images):
                return self.vgg(images)
    """),
    wrong("my_model", "hand_written_softmax_over_the_batch", """
        def softmax(logits):
            e = tf.exp(logits - tf.reduce_max(logits))
            return e / tf.reduce_sum(e, axis=0)


        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.convs = [layers.Conv2D(n, 3, padding="same", activation="relu") for n in (32, 32, 64, 64)]
                self.pool_a, self.pool_b = layers.MaxPooling2D(), layers.MaxPooling2D()
                self.flatten = layers.Flatten()
                self.fc = layers.Dense(128, activation="relu")
                self.out = layers.Dense(10, activation=softmax, dtype="float32")

            def call(self, x):
                x = self.pool_a(self.convs[1](self.convs[0](x)))
                x = self.pool_b(self.convs[3](self.convs[2](x)))
                return self.out(self.fc(self.flatten(x)))
    """, r"rows do not sum to 1"),
    wrong("my_model", "flatten_with_batch_of_32", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.conv_layers = [layers.Conv2D(n, 3, padding="same", activation="relu") for n in (32, 32, 64, 64)]
                self.pooling = [layers.MaxPooling2D(2) for _ in range(2)]
                self.fc1 = layers.Dense(128, activation="relu")
                self.fc2 = layers.Dense(10, activation="softmax", dtype="float32")

            def call(self, images):
                h = self.pooling[0](self.conv_layers[1](self.conv_layers[0](images)))
                h = self.pooling[1](self.conv_layers[3](self.conv_layers[2](h)))
                h = tf.reshape(h, (32, 7 * 7 * 64))   # one row per image of a batch of 32
                return self.fc2(self.fc1(h))
    """, r"could not run on an input.*reshape"),
    wrong("my_model", "average_pooling", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.c11 = layers.Conv2D(32, 3, padding="same", activation="relu")
                self.c12 = layers.Conv2D(32, 3, padding="same", activation="relu")
                self.c21 = layers.Conv2D(64, 3, padding="same", activation="relu")
                self.c22 = layers.Conv2D(64, 3, padding="same", activation="relu")
                self.p1 = layers.AveragePooling2D(2)
                self.p2 = layers.AveragePooling2D(2)
                self.flat = layers.Flatten()
                self.d1 = layers.Dense(128, activation="relu")
                self.d2 = layers.Dense(10, activation="softmax", dtype="float32")

            def call(self, x):
                x = self.p1(self.c12(self.c11(x)))
                x = self.p2(self.c22(self.c21(x)))
                return self.d2(self.d1(self.flat(x)))
    """, r"expected a MaxPooling2D, found an AveragePooling2D"),
    wrong("my_model", "hidden_dense_without_relu", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.body = keras.Sequential([
                    layers.Conv2D(32, 3, padding="same", activation="relu"),
                    layers.Conv2D(32, 3, padding="same", activation="relu"),
                    layers.MaxPooling2D(),
                    layers.Conv2D(64, 3, padding="same", activation="relu"),
                    layers.Conv2D(64, 3, padding="same", activation="relu"),
                    layers.MaxPooling2D(),
                    layers.Flatten(),
                ])
                self.dense = layers.Dense(128)
                self.classifier = layers.Dense(10, activation="softmax", dtype="float32")

            def call(self, x):
                return self.classifier(self.dense(self.body(x)))
    """, r"activation 'relu'"),
    # ---- more make_train_step / make_test_step --------------------------------------------------
    correct("train_test_steps", "wrapped_at_return_with_metric_loop", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            def one_step(x, y):
                with tf.GradientTape() as g:
                    y_hat = model(x, training=True)
                    batch_loss = loss_object(y, y_hat)
                    scaled = optimizer.scale_loss(batch_loss)
                weights = model.trainable_variables
                grads = g.gradient(scaled, weights)
                optimizer.apply_gradients([(grad, w) for grad, w in zip(grads, weights)])
                for metric, args in ((train_loss, (batch_loss,)), (train_accuracy, (y, y_hat))):
                    metric.update_state(*args)
                return {"loss": batch_loss}
            return tf.function(one_step, reduce_retracing=True)


        def make_test_step(model, loss_object, test_loss, test_accuracy):
            @tf.function
            def evaluate(x, y):
                y_hat = model(x, training=False)
                test_loss.update_state(loss_object(y, y_hat))
                test_accuracy.update_state(y_true=y, y_pred=y_hat)
            return evaluate
    """),
    correct("train_test_steps", "int32_labels_persistent_tape", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            @tf.function(jit_compile=False)
            def train_step(images, labels):
                labels = tf.cast(labels, tf.int32)
                with tf.GradientTape(persistent=True) as tape:
                    predictions = model(images, training=True)
                    loss = loss_object(labels, predictions)
                    scaled_loss = optimizer.scale_loss(loss)
                gradients = tape.gradient(scaled_loss, model.trainable_variables)
                del tape
                optimizer.apply_gradients(zip(gradients, model.trainable_variables))
                train_loss(loss)
                train_accuracy(labels, predictions)
            return train_step


        def make_test_step(model, loss_object, test_loss, test_accuracy):
            @tf.function
            def test_step(images, labels):
                predictions = tf.stop_gradient(model(images, training=False))
                test_loss(loss_object(tf.cast(labels, tf.int32), predictions))
                test_accuracy(labels, predictions)
            return test_step
    """),
    wrong("train_test_steps", "summed_batch_loss", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            @tf.function
            def train_step(images, labels):
                with tf.GradientTape() as tape:
                    predictions = model(images, training=True)
                    # the total loss of the batch
                    loss = tf.reduce_sum(keras.losses.sparse_categorical_crossentropy(labels, predictions))
                    scaled = optimizer.scale_loss(loss)
                grads = tape.gradient(scaled, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
                train_loss(loss)
                train_accuracy(labels, predictions)
            return train_step


        def make_test_step(model, loss_object, test_loss, test_accuracy):
            @tf.function
            def test_step(images, labels):
                predictions = model(images, training=False)
                test_loss(loss_object(labels, predictions))
                test_accuracy(labels, predictions)
            return test_step
    """, r"after 5 train steps|lower its loss", loses="train_step_hidden"),
    wrong("train_test_steps", "metrics_reset_in_every_step", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            @tf.function
            def train_step(images, labels):
                train_loss.reset_state()
                train_accuracy.reset_state()
                with tf.GradientTape() as tape:
                    predictions = model(images, training=True)
                    loss = loss_object(labels, predictions)
                    scaled = optimizer.scale_loss(loss)
                optimizer.apply_gradients(zip(tape.gradient(scaled, model.trainable_variables), model.trainable_variables))
                train_loss(loss)
                train_accuracy(labels, predictions)
            return train_step


        def make_test_step(model, loss_object, test_loss, test_accuracy):
            @tf.function
            def test_step(images, labels):
                test_loss.reset_state()
                test_accuracy.reset_state()
                predictions = model(images, training=False)
                test_loss(loss_object(labels, predictions))
                test_accuracy(labels, predictions)
            return test_step
    """, r"counted 12 examples, expected 60", loses=("train_step_visible", "test_step_hidden")),
    wrong("train_test_steps", "scale_loss_outside_the_tape", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            @tf.function
            def train_step(images, labels):
                with tf.GradientTape() as tape:
                    predictions = model(images, training=True)
                    loss = loss_object(labels, predictions)
                gradients = tape.gradient(optimizer.scale_loss(loss), model.trainable_variables)
                optimizer.apply_gradients(zip(gradients, model.trainable_variables))
                train_loss(loss)
                train_accuracy(labels, predictions)
            return train_step


        def make_test_step(model, loss_object, test_loss, test_accuracy):
            @tf.function
            def test_step(images, labels):
                predictions = model(images, training=False)
                test_loss(loss_object(labels, predictions))
                test_accuracy(labels, predictions)
            return test_step
    """, r"No gradients provided for any variable", loses="train_step_hidden"),
    wrong("train_test_steps", "reports_the_loss_after_the_update", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            @tf.function
            def train_step(images, labels):
                with tf.GradientTape() as tape:
                    loss = loss_object(labels, model(images, training=True))
                    scaled = optimizer.scale_loss(loss)
                grads = tape.gradient(scaled, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
                # show progress: how good is the model now?
                new_predictions = model(images, training=True)
                train_loss.update_state(loss_object(labels, new_predictions))
                train_accuracy.update_state(labels, new_predictions)
            return train_step


        def make_test_step(model, loss_object, test_loss, test_accuracy):
            @tf.function
            def test_step(images, labels):
                predictions = model(images, training=False)
                test_loss.update_state(loss_object(labels, predictions))
                test_accuracy.update_state(labels, predictions)
            return test_step
    """, r"train_loss after one step \(the loss of the batch before the update\)", loses="train_step_hidden"),
    # ---- more run_epochs ------------------------------------------------------------------------
    correct("run_epochs", "zeroes_the_metric_variables", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            names = {"loss": train_loss, "accuracy": train_accuracy,
                     "test_loss": test_loss, "test_accuracy": test_accuracy}
            history = {name: [] for name in names}
            for epoch in range(epochs):
                for metric in names.values():          # a fresh start for this epoch
                    for variable in metric.variables:
                        variable.assign(tf.zeros_like(variable))
                for images, labels in train_ds:
                    train_step(images, labels)
                for images, labels in test_ds:
                    test_step(images, labels)
                for name, metric in names.items():
                    value = float(metric.result().numpy())
                    history[name].append(100.0 * value if name.endswith("accuracy") else value)
                if verbose:
                    print("Epoch {:d}: loss {:.4f} acc {:.2f}% | test loss {:.4f} acc {:.2f}%".format(
                        epoch + 1, *(history[name][-1] for name in names)))
            return history
    """),
    correct("run_epochs", "while_loop_lists_zipped_at_the_end", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            losses, accuracies, test_losses, test_accuracies = [], [], [], []
            epoch = 0
            while epoch < epochs:
                train_loss.reset_state()
                train_accuracy.reset_state()
                test_loss.reset_state()
                test_accuracy.reset_state()
                batches = iter(train_ds)
                for images, labels in batches:
                    train_step(images, labels)
                for images, labels in test_ds.as_numpy_iterator():
                    test_step(images, labels)
                losses.append(float(train_loss.result()))
                accuracies.append(float(train_accuracy.result() * 100))
                test_losses.append(float(test_loss.result()))
                test_accuracies.append(float(test_accuracy.result() * 100))
                epoch += 1
                if verbose:
                    print(f"Epoch {epoch}, Loss: {losses[-1]}, Accuracy: {accuracies[-1]}, "
                          f"Test Loss: {test_losses[-1]}, Test Accuracy: {test_accuracies[-1]}")
            return {"loss": losses, "accuracy": accuracies, "test_loss": test_losses, "test_accuracy": test_accuracies}
    """),
    wrong("run_epochs", "always_two_epochs", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            history = {"loss": [], "accuracy": [], "test_loss": [], "test_accuracy": []}
            for epoch in range(2):
                for m in (train_loss, train_accuracy, test_loss, test_accuracy):
                    m.reset_state()
                for images, labels in train_ds:
                    train_step(images, labels)
                for images, labels in test_ds:
                    test_step(images, labels)
                history["loss"].append(float(train_loss.result()))
                history["accuracy"].append(float(train_accuracy.result()) * 100)
                history["test_loss"].append(float(test_loss.result()))
                history["test_accuracy"].append(float(test_accuracy.result()) * 100)
            return history
    """, r"expected \d+ and \d+ step calls"),
    wrong("run_epochs", "test_accuracy_left_as_a_fraction", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            history = {"loss": [], "accuracy": [], "test_loss": [], "test_accuracy": []}
            for epoch in range(epochs):
                for m in (train_loss, train_accuracy, test_loss, test_accuracy):
                    m.reset_state()
                for x, y in train_ds:
                    train_step(x, y)
                for x, y in test_ds:
                    test_step(x, y)
                history["loss"].append(float(train_loss.result()))
                history["accuracy"].append(float(train_accuracy.result()) * 100)
                history["test_loss"].append(float(test_loss.result()))
                history["test_accuracy"].append(float(test_accuracy.result()))
                if verbose:
                    print(f"epoch {epoch + 1}: {history['accuracy'][-1]:.2f}% / {history['test_accuracy'][-1]:.2%}")
            return history
    """, r"per-epoch test accuracy in percent"),
    wrong("run_epochs", "test_results_read_before_testing", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            keys = ("loss", "accuracy", "test_loss", "test_accuracy")
            metrics = (train_loss, train_accuracy, test_loss, test_accuracy)
            history = {k: [] for k in keys}
            for epoch in range(epochs):
                for m in metrics:
                    m.reset_state()
                for images, labels in train_ds:
                    train_step(images, labels)
                for k, m in zip(keys, metrics):
                    history[k].append(float(m.result()) * (100 if "accuracy" in k else 1))
                for images, labels in test_ds:
                    test_step(images, labels)
            return history
    """, r"per-epoch test loss"),
    wrong("run_epochs", "history_rounded_to_two_decimals", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            history = {"loss": [], "accuracy": [], "test_loss": [], "test_accuracy": []}
            for epoch in range(epochs):
                for m in (train_loss, train_accuracy, test_loss, test_accuracy):
                    m.reset_state()
                for images, labels in train_ds:
                    train_step(images, labels)
                for images, labels in test_ds:
                    test_step(images, labels)
                history["loss"].append(round(float(train_loss.result()), 2))
                history["accuracy"].append(round(float(train_accuracy.result()) * 100, 2))
                history["test_loss"].append(round(float(test_loss.result()), 2))
                history["test_accuracy"].append(round(float(test_accuracy.result()) * 100, 2))
            return history
    """, r"per-epoch train loss"),
    # ---- found by the new variants above: the judge was wrong on these, and is now right ----
    wrong("prepare_images", "divides_by_batch_max", """
        def prepare_images(images):
            x = images.astype("float32")
            return (x / x.max())[..., np.newaxis]
    """, r"images / 255"),
    wrong("prepare_images", "min_max_scaling", """
        def prepare_images(images):
            x = images.astype("float32")
            return ((x - x.min()) / (x.max() - x.min()))[..., np.newaxis]
    """, r"images / 255"),
    wrong("make_datasets", "seed_ignored", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(shuffle_buffer).batch(batch_size)
            return train_ds, tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size)
    """, r"seed"),
    wrong("make_datasets", "buffer_is_batch_size", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(batch_size, seed=seed).batch(batch_size)
            return train_ds, tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size)
    """, r"buffer"),
    wrong("make_datasets", "images_and_labels_shuffled_apart", """
        def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
            images = tf.data.Dataset.from_tensor_slices(x_train).shuffle(shuffle_buffer)
            labels = tf.data.Dataset.from_tensor_slices(y_train).shuffle(shuffle_buffer)
            train_ds = tf.data.Dataset.zip((images, labels)).batch(batch_size)
            return train_ds, tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size)
    """, r"pair"),
    correct("my_model", "relu_and_softmax_layer_objects", """
        class MyModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.conv1 = layers.Conv2D(32, 3, padding="same", activation=layers.ReLU())
                self.conv2 = layers.Conv2D(32, 3, padding="same", activation=layers.ReLU())
                self.pool1 = layers.MaxPooling2D()
                self.conv3 = layers.Conv2D(64, 3, padding="same", activation=layers.ReLU())
                self.conv4 = layers.Conv2D(64, 3, padding="same", activation=layers.ReLU())
                self.pool2 = layers.MaxPooling2D()
                self.flatten = layers.Flatten()
                self.fc = layers.Dense(128, activation=layers.ReLU())
                self.out = layers.Dense(10, activation=layers.Softmax(), dtype="float32")

            def call(self, x):
                x = self.pool1(self.conv2(self.conv1(x)))
                x = self.pool2(self.conv4(self.conv3(x)))
                return self.out(self.fc(self.flatten(x)))
    """),
    wrong("train_test_steps", "metric_gets_the_scaled_loss", """
        def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
            @tf.function
            def train_step(images, labels):
                with tf.GradientTape() as tape:
                    predictions = model(images, training=True)
                    loss = optimizer.scale_loss(loss_object(labels, predictions))
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
                train_loss(loss)
                train_accuracy(labels, predictions)
            return train_step


        def make_test_step(model, loss_object, test_loss, test_accuracy):
            @tf.function
            def test_step(images, labels):
                predictions = model(images, training=False)
                test_loss(loss_object(labels, predictions))
                test_accuracy(labels, predictions)
            return test_step
    """, r"train_loss", loses="train_step_hidden"),
    correct("run_epochs", "defaultdict_history", """
        from collections import defaultdict

        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            history = defaultdict(list)
            for epoch in range(epochs):
                for metric in (train_loss, train_accuracy, test_loss, test_accuracy):
                    metric.reset_state()
                for x, y in train_ds:
                    train_step(x, y)
                for x, y in test_ds:
                    test_step(x, y)
                history["loss"].append(float(train_loss.result()))
                history["accuracy"].append(100 * float(train_accuracy.result()))
                history["test_loss"].append(float(test_loss.result()))
                history["test_accuracy"].append(100 * float(test_accuracy.result()))
                if verbose:
                    print(epoch + 1, dict(history))
            return history
    """),
    wrong("run_epochs", "metrics_reset_every_batch", """
        def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
                       train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
            history = {"loss": [], "accuracy": [], "test_loss": [], "test_accuracy": []}
            for epoch in range(epochs):
                for images, labels in train_ds:
                    train_loss.reset_state()
                    train_accuracy.reset_state()
                    train_step(images, labels)
                for images, labels in test_ds:
                    test_loss.reset_state()
                    test_accuracy.reset_state()
                    test_step(images, labels)
                history["loss"].append(float(train_loss.result()))
                history["accuracy"].append(float(train_accuracy.result()) * 100)
                history["test_loss"].append(float(test_loss.result()))
                history["test_accuracy"].append(float(test_accuracy.result()) * 100)
            return history
    """, r"reset"),
]
