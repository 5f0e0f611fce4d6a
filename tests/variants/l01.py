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
    correct("prepare_images", "none_index_returns_tensor", """
        def prepare_images(images):
            return (tf.convert_to_tensor(images, dtype=tf.float32) / 255)[:, :, :, None]
    """),
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
]
