"""Variants of lesson 03 (see tests/variants/__init__.py): the post's 4-conv / 5-FC CNN on CIFAR-10,
pixels scaled by 255, a model factory, independently trained members and their averaged softmax."""
from tests.variants import correct, wrong

_CONVS = "(15, 30, 30, 30)"
_DENSES = "(200, 200, 100, 100)"

VARIANTS = [
    # ---- preprocess ----------------------------------------------------------------------------
    correct("preprocess", "astype_then_divide", """
        def preprocess(images):
            return images.astype("float32") / 255.0
    """),
    correct("preprocess", "divide_then_astype", """
        def preprocess(images):
            return (images / 255).astype(np.float32)
    """),
    correct("preprocess", "np_divide_dtype", """
        def preprocess(images):
            return np.divide(images, 255, dtype=np.float32)
    """),
    correct("preprocess", "tf_cast_then_numpy", """
        def preprocess(images):
            scaled = tf.cast(images, tf.float32) / 255.0
            return scaled.numpy()
    """),
    correct("preprocess", "rescaling_layer_multiply", """
        def preprocess(images):
            rescale = layers.Rescaling(scale=1.0 / 255)
            return np.asarray(rescale(images.astype("float32")))
    """),
    wrong("preprocess", "divides_by_225", """
        def preprocess(images):
            return (images / 225).astype("float32")
    """, r"should be images / 255"),
    wrong("preprocess", "divides_by_256", """
        def preprocess(images):
            return images.astype(np.float32) / 256.0
    """, r"should be images / 255"),
    wrong("preprocess", "float64_left", """
        def preprocess(images):
            return images / 255.0
    """, r"expected dtype float32, found float64"),
    wrong("preprocess", "min_max_of_the_images", """
        def preprocess(images):
            x = images.astype("float32")
            return (x - x.min()) / (x.max() - x.min())
    """, r"divide by 255 always, not by the brightest pixel"),
    wrong("preprocess", "divides_by_the_brightest_pixel", """
        def preprocess(images):
            return (images / images.max()).astype("float32")
    """, r"divide by 255 always"),
    wrong("preprocess", "returns_a_tensor", """
        def preprocess(images):
            return tf.cast(images, tf.float32) / 255.0
    """, r"must return a NumPy array, found EagerTensor"),
    # ---- build_model ---------------------------------------------------------------------------
    correct("build_model", "nested_sequential_blocks", f"""
        def conv_block(filters):
            return keras.Sequential([
                layers.Conv2D(filters, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"),
                layers.MaxPooling2D(2)])


        def dense_block(units, rate):
            return keras.Sequential([layers.Dense(units, activation="relu", kernel_initializer="glorot_normal"),
                                     layers.Dropout(rate)])


        def build_model(learning_rate=0.001, dropout_rate=0.5):
            model = keras.Sequential(
                [keras.Input(shape=(32, 32, 3))]
                + [conv_block(f) for f in {_CONVS}]
                + [layers.Flatten()]
                + [dense_block(u, dropout_rate) for u in {_DENSES}]
                + [layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal")])
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """),
    correct("build_model", "layer_subclass_blocks", f"""
        class ConvPool(layers.Layer):
            def __init__(self, filters, **kwargs):
                super().__init__(**kwargs)
                self.conv = layers.Conv2D(filters, (4, 4), padding="same", activation="relu",
                                          kernel_initializer="glorot_normal")
                self.pool = layers.MaxPooling2D((2, 2))

            def call(self, x):
                return self.pool(self.conv(x))


        class DenseDrop(layers.Layer):
            def __init__(self, units, rate, **kwargs):
                super().__init__(**kwargs)
                self.dense = layers.Dense(units, activation="relu", kernel_initializer="glorot_normal")
                self.drop = layers.Dropout(rate)

            def call(self, x, training=None):
                return self.drop(self.dense(x), training=training)


        def build_model(learning_rate=0.001, dropout_rate=0.5):
            model = keras.Sequential([keras.Input((32, 32, 3))])
            for f in {_CONVS}:
                model.add(ConvPool(f))
            model.add(layers.Flatten())
            for u in {_DENSES}:
                model.add(DenseDrop(u, dropout_rate))
            model.add(layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"))
            model.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """),
    correct("build_model", "functional_api", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            inputs = keras.Input(shape=(32, 32, 3))
            x = inputs
            for filters in {_CONVS}:
                x = layers.Conv2D(filters, kernel_size=4, padding="same", activation="relu",
                                  kernel_initializer="glorot_normal")(x)
                x = layers.MaxPool2D(pool_size=2)(x)
            x = layers.Flatten()(x)
            for units in {_DENSES}:
                x = layers.Dense(units, activation="relu", kernel_initializer="glorot_normal")(x)
                x = layers.Dropout(rate=dropout_rate)(x)
            outputs = layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal")(x)
            model = keras.Model(inputs=inputs, outputs=outputs, name="post_cnn")
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss=keras.losses.SparseCategoricalCrossentropy(),
                          metrics=["accuracy"])
            return model
    """),
    correct("build_model", "all_18_layers_written_out", """
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            init = keras.initializers.GlorotNormal
            model = keras.Sequential([
                keras.Input(shape=(32, 32, 3)),
                layers.Conv2D(filters=15, kernel_size=(4, 4), strides=(1, 1), padding="same",
                              activation=tf.nn.relu, kernel_initializer=init()),
                layers.MaxPooling2D(pool_size=(2, 2)),
                layers.Conv2D(filters=30, kernel_size=(4, 4), padding="same", activation="relu",
                              kernel_initializer=init()),
                layers.MaxPooling2D(pool_size=(2, 2)),
                layers.Conv2D(filters=30, kernel_size=(4, 4), padding="same", activation="relu",
                              kernel_initializer=init()),
                layers.MaxPooling2D(pool_size=(2, 2)),
                layers.Conv2D(filters=30, kernel_size=(4, 4), padding="same", activation="relu",
                              kernel_initializer=init()),
                layers.MaxPooling2D(pool_size=(2, 2)),
                layers.Flatten(),
                layers.Dense(units=200, activation="relu", kernel_initializer=init()),
                layers.Dropout(dropout_rate),
                layers.Dense(units=200, activation="relu", kernel_initializer=init()),
                layers.Dropout(dropout_rate),
                layers.Dense(units=100, activation="relu", kernel_initializer=init()),
                layers.Dropout(dropout_rate),
                layers.Dense(units=100, activation="relu", kernel_initializer=init()),
                layers.Dropout(dropout_rate),
                layers.Dense(units=10, activation="softmax", kernel_initializer=init()),
            ])
            opt = keras.optimizers.Adam(learning_rate=learning_rate)
            model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """),
    wrong("build_model", "padding_valid", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
            for filters in {_CONVS}:
                model.add(layers.Conv2D(filters, 4, activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            for units in {_DENSES}:
                model.add(layers.Dense(units, activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.Dropout(dropout_rate))
            model.add(layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"))
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"padding='valid'.*use padding='same'"),
    wrong("build_model", "no_softmax_logits", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
            for filters in {_CONVS}:
                model.add(layers.Conv2D(filters, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            for units in {_DENSES}:
                model.add(layers.Dense(units, activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.Dropout(dropout_rate))
            model.add(layers.Dense(10, kernel_initializer="glorot_normal"))
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
            return model
    """, r"Layer 18 .*expected activation 'softmax', found 'linear'"),
    wrong("build_model", "dropout_rate_ignored", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
            for filters in {_CONVS}:
                model.add(layers.Conv2D(filters, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            for units in {_DENSES}:
                model.add(layers.Dense(units, activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.Dropout(0.5))
            model.add(layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"))
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"dropout_rate=([0-9.]+)\) should give four Dropout\(\1\) layers, found rates \[0\.5, 0\.5, 0\.5, 0\.5\]"),
    wrong("build_model", "learning_rate_ignored", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
            for filters in {_CONVS}:
                model.add(layers.Conv2D(filters, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            for units in {_DENSES}:
                model.add(layers.Dense(units, activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.Dropout(dropout_rate))
            model.add(layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"))
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"learning_rate=[0-9.]+\) must use that learning rate, found 0\.001"),
    wrong("build_model", "one_model_returned_every_call", f"""
        _the_model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
        for _f in {_CONVS}:
            _the_model.add(layers.Conv2D(_f, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"))
            _the_model.add(layers.MaxPooling2D(2))
        _the_model.add(layers.Flatten())
        for _u in {_DENSES}:
            _the_model.add(layers.Dense(_u, activation="relu", kernel_initializer="glorot_normal"))
            _the_model.add(layers.Dropout(0.5))
        _the_model.add(layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"))


        def build_model(learning_rate=0.001, dropout_rate=0.5):
            _the_model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                               loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return _the_model
    """, r"must build a NEW model on every call"),
    wrong("build_model", "fixed_seed_initialiser", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            def init():
                return keras.initializers.GlorotNormal(seed=42)
            model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
            for filters in {_CONVS}:
                model.add(layers.Conv2D(filters, 4, padding="same", activation="relu", kernel_initializer=init()))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            for units in {_DENSES}:
                model.add(layers.Dense(units, activation="relu", kernel_initializer=init()))
                model.add(layers.Dropout(dropout_rate))
            model.add(layers.Dense(10, activation="softmax", kernel_initializer=init()))
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"start with the same weights.*no fixed seed"),
    wrong("build_model", "default_initialiser_in_blocks", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            blocks = [keras.Sequential([layers.Conv2D(f, 4, padding="same", activation="relu"), layers.MaxPooling2D()])
                      for f in {_CONVS}]
            head = [keras.Sequential([layers.Dense(u, activation="relu"), layers.Dropout(dropout_rate)])
                    for u in {_DENSES}]
            model = keras.Sequential([keras.Input(shape=(32, 32, 3)), *blocks, layers.Flatten(), *head,
                                      layers.Dense(10, activation="softmax")])
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"kernel_initializer='glorot_normal'; found the initialisers \['GlorotUniform'"),
    wrong("build_model", "posts_categorical_loss", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
            for filters in {_CONVS}:
                model.add(layers.Conv2D(filters, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            for units in {_DENSES}:
                model.add(layers.Dense(units, activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.Dropout(dropout_rate))
            model.add(layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"))
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"sparse categorical cross-entropy.*found an error"),
    wrong("build_model", "compile_metrics_positional", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
            for filters in {_CONVS}:
                model.add(layers.Conv2D(filters, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            for units in {_DENSES}:
                model.add(layers.Dense(units, activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.Dropout(dropout_rate))
            model.add(layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"))
            model.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy", ["accuracy"])
            return model
    """, r"loss_weights=\['accuracy'\].*write metrics=\['accuracy'\] by keyword"),
    # ---- train_members -------------------------------------------------------------------------
    correct("train_members", "comprehension_with_helper", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            def train_one(i):
                model = build_fn()
                cbs = member_callbacks(i) if member_callbacks else None
                model.fit(x, y, epochs=epochs, batch_size=batch_size, callbacks=cbs, verbose=verbose)
                return model
            return [train_one(i) for i in range(num_models)]
    """),
    correct("train_members", "while_loop_fit_kwargs", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            models = []
            while len(models) < num_models:
                m = build_fn()
                fit_args = dict(epochs=epochs, batch_size=batch_size, verbose=verbose)
                if member_callbacks is not None:
                    fit_args["callbacks"] = list(member_callbacks(len(models)))
                m.fit(x, y, **fit_args)
                models.append(m)
            return models
    """),
    correct("train_members", "positional_fit_in_order", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            trained = []
            for index in range(num_models):
                net = build_fn()
                callbacks = [] if member_callbacks is None else member_callbacks(index)
                net.fit(x, y, batch_size, epochs, verbose, callbacks)
                trained.append(net)
            return trained
    """),
    correct("train_members", "build_all_then_train", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            members = [build_fn() for _ in range(num_models)]
            for i, member in enumerate(members):
                if member_callbacks:
                    member.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose,
                               callbacks=member_callbacks(i))
                else:
                    member.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose)
            return members
    """),
    wrong("train_members", "posts_bug_one_model_appended", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            model = build_fn()
            members = []
            for i in range(num_models):
                cbs = member_callbacks(i) if member_callbacks else []
                model.fit(x, y, epochs=epochs, batch_size=batch_size, callbacks=cbs, verbose=verbose)
                members.append(model)
            return members
    """, r"SAME model object more than once"),
    wrong("train_members", "list_times_n", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            members = [build_fn()] * num_models
            for i, m in enumerate(members):
                m.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose,
                      callbacks=member_callbacks(i) if member_callbacks else None)
            return members
    """, r"SAME model object more than once"),
    wrong("train_members", "last_model_appended_n_times", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            for i in range(num_models):
                model = build_fn()
                model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose,
                          callbacks=member_callbacks(i) if member_callbacks else None)
            return [model for _ in range(num_models)]
    """, r"SAME model object more than once"),
    wrong("train_members", "epochs_and_batch_size_swapped", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            members = []
            for i in range(num_models):
                model = build_fn()
                model.fit(x, y, epochs, batch_size, verbose=verbose,
                          callbacks=member_callbacks(i) if member_callbacks else None)
                members.append(model)
            return members
    """, r"6 steps; found \[24, 24, 24\] - epochs and batch_size are swapped"),
    wrong("train_members", "callbacks_ignored", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            members = []
            for i in range(num_models):
                model = build_fn()
                model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose)
                members.append(model)
            return members
    """, r"member_callbacks must be called once per member index 0\.\.\d; it was called with \[\]"),
    wrong("train_members", "callbacks_numbered_from_1", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            members = []
            for i in range(1, num_models + 1):
                model = build_fn()
                cbs = member_callbacks(i) if member_callbacks else []
                model.fit(x, y, epochs=epochs, batch_size=batch_size, callbacks=cbs, verbose=verbose)
                members.append(model)
            return members
    """, r"index 0\.\.\d; it was called with \[1, 2, 3(, 4)?(, 5)?\]"),
    wrong("train_members", "one_callback_list_for_all", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            cbs = member_callbacks(0) if member_callbacks else []
            members = []
            for i in range(num_models):
                model = build_fn()
                model.fit(x, y, epochs=epochs, batch_size=batch_size, callbacks=cbs, verbose=verbose)
                members.append(model)
            return members
    """, r"index 0\.\.\d; it was called with \[0\]"),
    wrong("train_members", "calls_member_callbacks_when_none", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            members = []
            for i in range(num_models):
                model = build_fn()
                model.fit(x, y, epochs=epochs, batch_size=batch_size, callbacks=member_callbacks(i), verbose=verbose)
                members.append(model)
            return members
    """, r"without member_callbacks, raised TypeError.*call it only when it is"),
    # ---- ensemble_predict / accuracy -----------------------------------------------------------
    correct("ensemble", "np_mean_axis0", """
        def ensemble_predict(models, x):
            return np.mean([m.predict(x, verbose=0) for m in models], axis=0)


        def accuracy(probabilities, labels):
            return np.mean(np.argmax(probabilities, axis=1) == np.ravel(labels))
    """),
    correct("ensemble", "running_sum_over_len", """
        def ensemble_predict(models, x):
            total = None
            for model in models:
                p = model.predict(x, verbose=0)
                total = p if total is None else total + p
            return total / len(models)


        def accuracy(probabilities, labels):
            predicted = probabilities.argmax(axis=-1)
            labels = labels.reshape(-1)
            right = sum(int(a == b) for a, b in zip(predicted, labels))
            return right / len(labels)
    """),
    correct("ensemble", "tf_reduce_mean_keras_metric", """
        def ensemble_predict(models, x):
            stacked = tf.stack([tf.convert_to_tensor(m.predict(x, verbose=0)) for m in models])
            return tf.reduce_mean(stacked, axis=0).numpy()


        def accuracy(probabilities, labels):
            metric = keras.metrics.SparseCategoricalAccuracy()
            metric.update_state(labels, probabilities)
            return float(metric.result())
    """),
    correct("ensemble", "called_models_float32_accuracy", """
        def ensemble_predict(models, x):
            outputs = np.stack([np.asarray(model(x, training=False)) for model in models])
            return np.average(outputs, axis=0)


        def accuracy(probabilities, labels):
            hits = np.argmax(probabilities, 1) == np.squeeze(labels)
            return hits.astype(np.float32).mean()
    """),
    wrong("ensemble", "posts_sum", """
        def ensemble_predict(models, x):
            return np.sum([m.predict(x, verbose=0) for m in models], axis=0)


        def accuracy(probabilities, labels):
            return float(np.mean(np.argmax(probabilities, axis=1) == np.ravel(labels)))
    """, r"found the sum of the members' outputs"),
    wrong("ensemble", "averaged_over_the_wrong_axis", """
        def ensemble_predict(models, x):
            return np.mean(np.array([m.predict(x, verbose=0) for m in models]), axis=1)


        def accuracy(probabilities, labels):
            return float(np.mean(np.argmax(probabilities, axis=1) == np.ravel(labels)))
    """, r"shape \(2, 3\), an average over the inputs instead of over the members"),
    wrong("ensemble", "argmax_before_averaging_votes", """
        def ensemble_predict(models, x):
            votes = []
            for m in models:
                p = m.predict(x, verbose=0)
                votes.append(np.eye(p.shape[1])[p.argmax(axis=1)])
            return np.mean(votes, axis=0)


        def accuracy(probabilities, labels):
            return float(np.mean(np.argmax(probabilities, axis=1) == np.ravel(labels)))
    """, r"vote fractions: the argmax was taken before averaging"),
    wrong("ensemble", "averaged_class_indices", """
        def ensemble_predict(models, x):
            return np.mean([m.predict(x, verbose=0).argmax(axis=1) for m in models], axis=0)


        def accuracy(probabilities, labels):
            return float(np.mean(np.argmax(probabilities, axis=1) == np.ravel(labels)))
    """, r"one number per input, shape \(3,\): .*not class indices \(no argmax\)"),
    wrong("ensemble", "labels_not_flattened", """
        def ensemble_predict(models, x):
            return np.mean([m.predict(x, verbose=0) for m in models], axis=0)


        def accuracy(probabilities, labels):
            return float(np.mean(np.argmax(probabilities, axis=1) == labels))
    """, r"labels of shape \((\d+), 1\) should be [0-9.]+ \(\d+ of \1 right\), found [0-9.]+: .*broadcasts"),
    wrong("ensemble", "accuracy_in_percent", """
        def ensemble_predict(models, x):
            return np.mean([m.predict(x, verbose=0) for m in models], axis=0)


        def accuracy(probabilities, labels):
            return 100.0 * np.mean(np.argmax(probabilities, axis=1) == np.ravel(labels))
    """, r"should be 0\.75 .*not a percentage"),
    wrong("ensemble", "accuracy_a_tensor", """
        def ensemble_predict(models, x):
            return np.mean([m.predict(x, verbose=0) for m in models], axis=0)


        def accuracy(probabilities, labels):
            right = tf.equal(tf.argmax(probabilities, axis=1), tf.reshape(tf.cast(labels, tf.int64), [-1]))
            return tf.reduce_mean(tf.cast(right, tf.float32))
    """, r"accuracy\(\.\.\.\) must return a float, found EagerTensor"),

    # ==== more answers, written as other students would (with the judge, issue 22) ==================
    # ---- preprocess ----------------------------------------------------------------------------
    correct("preprocess", "tf_convert_image_dtype", """
        def preprocess(images):
            # uint8 -> float32 in [0, 1]: TensorFlow's own conversion scales by 1/255
            return tf.image.convert_image_dtype(images, dtype=tf.float32).numpy()
    """),
    correct("preprocess", "lookup_table_of_256_levels", """
        _LEVELS = np.arange(256, dtype=np.float32) / 255.0


        def preprocess(images):
            return _LEVELS[np.asarray(images, dtype=np.uint8)]
    """),
    correct("preprocess", "keras_ops_then_numpy", """
        def preprocess(images):
            scaled = keras.ops.divide(keras.ops.cast(images, "float32"), 255.0)
            return keras.ops.convert_to_numpy(scaled)
    """),
    wrong("preprocess", "per_channel_maximum", """
        def preprocess(images):
            x = np.asarray(images, dtype=np.float32)
            # scale each colour channel by its own brightest value
            return x / x.max(axis=tuple(range(x.ndim - 1)), keepdims=True)
    """, r"preprocess\(225\) should be 225 / 255 = 0\.882, found 1\.0000"),
    wrong("preprocess", "assumes_cifar_sized_batches", """
        def preprocess(images):
            batch = images.reshape(-1, 32, 32, 3)
            return batch.astype(np.float32) / 255.0
    """, r"cannot reshape array of size \d+ into shape \(32,32,3\)"),
    wrong("preprocess", "clips_the_posts_typo", """
        def preprocess(images):
            return np.clip(images / 225.0, 0.0, 1.0).astype(np.float32)
    """, r"pixel values \(should be images / 255\)"),
    wrong("preprocess", "half_precision_to_save_memory", """
        def preprocess(images):
            small = images.astype(np.float16) / np.float16(255)
            return small.astype(np.float32)
    """, r"pixel values \(should be images / 255\): values differ"),
    # ---- build_model ---------------------------------------------------------------------------
    correct("build_model", "layer_subclasses_and_keras_objects", """
        class PostConv(layers.Conv2D):
            \"\"\"The post's convolution: 4x4, same padding, ReLU, Glorot-normal weights.\"\"\"
            def __init__(self, filters, **kwargs):
                super().__init__(filters, kernel_size=(4, 4), padding="same", activation=keras.activations.relu,
                                 kernel_initializer=keras.initializers.GlorotNormal(), **kwargs)


        class PostDense(layers.Dense):
            def __init__(self, units, activation=tf.nn.relu, **kwargs):
                super().__init__(units, activation=activation, kernel_initializer=keras.initializers.GlorotNormal(),
                                 **kwargs)


        class PostAdam(keras.optimizers.Adam):
            pass


        def build_model(learning_rate=0.001, dropout_rate=0.5):
            net = keras.Sequential(name="post_cnn")
            net.add(keras.Input(shape=(32, 32, 3)))
            for n_filters in [15, 30, 30, 30]:
                net.add(PostConv(n_filters))
                net.add(layers.MaxPool2D(pool_size=(2, 2)))
            net.add(layers.Flatten())
            for n_units in [200, 200, 100, 100]:
                net.add(PostDense(n_units))
                net.add(layers.Dropout(rate=dropout_rate))
            net.add(PostDense(10, activation=tf.nn.softmax))
            net.compile(optimizer=PostAdam(learning_rate=learning_rate),
                        loss=keras.losses.SparseCategoricalCrossentropy(),
                        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
            return net
    """),
    correct("build_model", "variance_scaling_is_glorot_normal", """
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            # glorot_normal spelt out: variance 1 / fan_avg, truncated normal
            def glorot():
                return keras.initializers.VarianceScaling(scale=1.0, mode="fan_avg", distribution="truncated_normal")

            images = keras.Input(shape=(32, 32, 3), name="images")
            h = images
            for width in (15, 30, 30, 30):
                h = layers.Conv2D(width, 4, padding="same", activation="relu", kernel_initializer=glorot())(h)
                h = layers.MaxPooling2D()(h)
            h = layers.Flatten()(h)
            for width in (200, 200, 100, 100):
                h = layers.Dense(width, activation="relu", kernel_initializer=glorot())(h)
                h = layers.Dropout(dropout_rate)(h)
            probabilities = layers.Dense(10, activation="softmax", kernel_initializer=glorot())(h)
            model = keras.Model(images, probabilities)
            model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])
            return model
    """),
    correct("build_model", "relu_layer_objects_as_activations", """
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            model = keras.Sequential()
            model.add(keras.Input((32, 32, 3)))
            filters = [15, 30, 30, 30]
            for f in filters:
                model.add(layers.Convolution2D(f, (4, 4), strides=1, padding="SAME", activation=layers.ReLU(),
                                               kernel_initializer="GlorotNormal"))
                model.add(layers.MaxPooling2D(pool_size=2, strides=2))
            model.add(layers.Flatten())
            units = [200, 200, 100, 100]
            for u in units:
                model.add(layers.Dense(u, activation=keras.activations.get("relu"), kernel_initializer="glorot_normal"))
                model.add(layers.Dropout(dropout_rate))
            model.add(layers.Dense(10, activation=keras.activations.softmax, kernel_initializer="glorot_normal"))
            adam = keras.optimizers.Adam(learning_rate=learning_rate)
            model.compile(optimizer=adam, loss=keras.losses.sparse_categorical_crossentropy, metrics=["accuracy"])
            return model
    """),
    wrong("build_model", "dilated_convolutions", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            # a wider view for the same parameter count (but not the post's model)
            model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
            for filters in {_CONVS}:
                model.add(layers.Conv2D(filters, 4, padding="same", dilation_rate=2, activation="relu",
                                        kernel_initializer="glorot_normal"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            for units in {_DENSES}:
                model.add(layers.Dense(units, activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.Dropout(dropout_rate))
            model.add(layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"))
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"output with the grader's weights on the grader's images differs from the post's model's"),
    wrong("build_model", "dropout_rate_in_the_first_two_only", """
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            model = keras.Sequential([
                keras.Input(shape=(32, 32, 3)),
                layers.Conv2D(15, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"),
                layers.MaxPooling2D(),
                layers.Conv2D(30, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"),
                layers.MaxPooling2D(),
                layers.Conv2D(30, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"),
                layers.MaxPooling2D(),
                layers.Conv2D(30, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"),
                layers.MaxPooling2D(),
                layers.Flatten(),
                layers.Dense(200, activation="relu", kernel_initializer="glorot_normal"),
                layers.Dropout(dropout_rate),
                layers.Dense(200, activation="relu", kernel_initializer="glorot_normal"),
                layers.Dropout(dropout_rate),
                layers.Dense(100, activation="relu", kernel_initializer="glorot_normal"),
                layers.Dropout(0.5),
                layers.Dense(100, activation="relu", kernel_initializer="glorot_normal"),
                layers.Dropout(0.5),
                layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"),
            ])
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"should give four Dropout\(([0-9.]+)\) layers, found rates \[\1, \1, 0\.5, 0\.5\]"),
    wrong("build_model", "softmax_and_from_logits", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
            for filters in {_CONVS}:
                model.add(layers.Conv2D(filters, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            for units in {_DENSES}:
                model.add(layers.Dense(units, activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.Dropout(dropout_rate))
            model.add(layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"))
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
            return model
    """, r"sparse categorical cross-entropy of its probabilities.*should be [0-9.]+, found [0-9.]+\. Compile"),
    wrong("build_model", "seed_fixed_inside_the_factory", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            keras.utils.set_random_seed(1234)   # "reproducible" models
            model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
            for filters in {_CONVS}:
                model.add(layers.Conv2D(filters, 4, padding="same", activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            for units in {_DENSES}:
                model.add(layers.Dense(units, activation="relu", kernel_initializer="glorot_normal"))
                model.add(layers.Dropout(dropout_rate))
            model.add(layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"))
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"start with the same weights.*no fixed seed"),
    wrong("build_model", "he_normal_initialiser", f"""
        def build_model(learning_rate=0.001, dropout_rate=0.5):
            model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
            for filters in {_CONVS}:
                model.add(layers.Conv2D(filters, 4, padding="same", activation="relu", kernel_initializer="he_normal"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            for units in {_DENSES}:
                model.add(layers.Dense(units, activation="relu", kernel_initializer="he_normal"))
                model.add(layers.Dropout(dropout_rate))
            model.add(layers.Dense(10, activation="softmax", kernel_initializer="he_normal"))
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"kernel_initializer='glorot_normal'; found the initialisers \['HeNormal'"),
    # ---- train_members -------------------------------------------------------------------------
    correct("train_members", "dataset_pipeline_and_map", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x)).batch(batch_size)
            members = list(map(lambda _: build_fn(), range(num_models)))
            for index, member in enumerate(members):
                extra = {"callbacks": member_callbacks(index)} if callable(member_callbacks) else {}
                member.fit(data, epochs=epochs, verbose=verbose, **extra)
            return members
    """),
    correct("train_members", "one_epoch_per_fit_call", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            trained = []
            for k in range(num_models):
                net = build_fn()
                logs = member_callbacks(k) if member_callbacks is not None else []
                for epoch in range(epochs):
                    net.fit(x, y, batch_size=batch_size, initial_epoch=epoch, epochs=epoch + 1,
                            callbacks=logs, verbose=verbose)
                trained.append(net)
            return trained
    """),
    correct("train_members", "recursive", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            if num_models <= 0:
                return []
            earlier = train_members(build_fn, num_models - 1, x, y, epochs, batch_size, member_callbacks, verbose)
            newest = build_fn()
            newest.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose,
                       callbacks=[] if member_callbacks is None else member_callbacks(num_models - 1))
            return earlier + [newest]
    """),
    wrong("train_members", "clones_one_built_model", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            template = build_fn()
            members = []
            for i in range(num_models):
                # clone_model gives new layers with new random weights
                model = keras.models.clone_model(template)
                model.compile(optimizer=template.optimizer.__class__.from_config(template.optimizer.get_config()),
                              loss=template.loss)
                model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose,
                          callbacks=member_callbacks(i) if member_callbacks else None)
                members.append(model)
            return members
    """, r"must call build_fn\(\) once per member \(\d times\), found 1 calls"),
    wrong("train_members", "fit_outside_the_loop", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            members = []
            for i in range(num_models):
                model = build_fn()
                members.append(model)
            model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose,
                      callbacks=member_callbacks(i) if member_callbacks else None)
            return members
    """, r"6 steps; found \[0, 0, 6\]"),
    wrong("train_members", "batch_size_not_passed", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            out = []
            for i in range(num_models):
                m = build_fn()
                m.fit(x, y, epochs=epochs, verbose=verbose, callbacks=member_callbacks(i) if member_callbacks else [])
                out.append(m)
            return out
    """, r"6 steps; found \[2, 2, 2\]"),
    wrong("train_members", "callbacks_made_but_not_passed", """
        def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
            members = []
            for i in range(num_models):
                if member_callbacks is not None:
                    member_callbacks(i)            # sets up member i's logging
                model = build_fn()
                model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose)
                members.append(model)
            return members
    """, r"callbacks must be passed to its fit \(expected \d epochs each, counted \[0, 0, 0"),
    # ---- ensemble_predict / accuracy -----------------------------------------------------------
    correct("ensemble", "add_reduce_and_count_nonzero", """
        def ensemble_predict(models, x):
            outputs = [np.asarray(member.predict(x, verbose=0), dtype=np.float64) for member in models]
            return np.add.reduce(outputs) / len(outputs)


        def accuracy(probabilities, labels):
            hits = np.count_nonzero(np.argmax(probabilities, axis=1) == np.reshape(labels, -1))
            return float(hits) / len(probabilities)
    """),
    correct("ensemble", "einsum_over_members", """
        def ensemble_predict(models, x):
            stacked = np.stack([m.predict(x, verbose=0) for m in models])   # (members, N, classes)
            return np.einsum("mnc->nc", stacked) / stacked.shape[0]


        def accuracy(probabilities, labels):
            labels = np.asarray(labels).flatten()
            return (np.asarray(probabilities).argmax(1) == labels).mean()
    """),
    correct("ensemble", "np_average_equal_weights", """
        def ensemble_predict(models, x):
            preds = np.stack([np.asarray(model(x)) for model in models], axis=0)
            return np.average(preds, axis=0, weights=np.ones(len(models)))


        def accuracy(probabilities, labels):
            correct_rows = np.sum(np.argmax(probabilities, axis=-1) == np.asarray(labels).reshape(-1))
            return correct_rows / np.asarray(labels).size
    """),
    wrong("ensemble", "divides_by_two", """
        def ensemble_predict(models, x):
            # two members: (p1 + p2) / 2
            return sum(m.predict(x, verbose=0) for m in models) / 2


        def accuracy(probabilities, labels):
            return float(np.mean(np.argmax(probabilities, axis=1) == np.ravel(labels)))
    """, r"each row of ensemble_predict must sum to 1 \(average, do not sum\)"),
    wrong("ensemble", "weighted_by_confidence", """
        def ensemble_predict(models, x):
            preds = [m.predict(x, verbose=0) for m in models]
            weights = [p.max() for p in preds]          # trust the more confident members more
            return np.average(preds, axis=0, weights=weights)


        def accuracy(probabilities, labels):
            return float(np.mean(np.argmax(probabilities, axis=1) == np.ravel(labels)))
    """, r"ensemble_predict of (\d|three) members: values differ"),
    wrong("ensemble", "accuracy_assumes_column_labels", """
        def ensemble_predict(models, x):
            return np.mean([m.predict(x, verbose=0) for m in models], axis=0)


        def accuracy(probabilities, labels):
            return float(np.mean(np.argmax(probabilities, axis=1) == labels[:, 0]))
    """, r"too many indices for array"),
    wrong("ensemble", "geometric_mean", """
        def ensemble_predict(models, x):
            logs = np.mean([np.log(m.predict(x, verbose=0) + 1e-12) for m in models], axis=0)
            p = np.exp(logs)
            return p / p.sum(axis=1, keepdims=True)


        def accuracy(probabilities, labels):
            return float(np.mean(np.argmax(probabilities, axis=1) == np.ravel(labels)))
    """, r"of two members \(the average of their outputs\): values differ"),
]
