"""Variants of lesson 02 (see tests/variants/__init__.py): the post's "VGG16 brief" on CIFAR-10 with
the Keras functional API - a validation split by slicing, the model, compile, ReduceLROnPlateau, fit."""
from tests.variants import correct, wrong

VARIANTS = [
    # ---- split_validation ----------------------------------------------------------------------
    correct("split_validation", "np_split", """
        def split_validation(x_test, y_test, n_val=5000):
            if n_val < 0 or n_val > len(x_test):
                raise ValueError("n_val out of range")
            x_val, x_rest = np.split(x_test, [n_val])
            y_val, y_rest = np.split(y_test, [n_val])
            return (x_val, y_val), (x_rest, y_rest)
    """),
    correct("split_validation", "range_membership_lists", """
        def split_validation(x_test, y_test, n_val=5000):
            if n_val not in range(len(x_test) + 1):
                raise ValueError(f"cannot take {n_val} validation examples out of {len(x_test)}")
            return [x_test[:n_val], y_test[:n_val]], [x_test[n_val:], y_test[n_val:]]
    """),
    correct("split_validation", "explicit_bounds_and_copies", """
        def split_validation(x_test, y_test, n_val=5000):
            total = x_test.shape[0]
            if not (0 <= n_val <= total):
                raise ValueError("n_val must be between 0 and the number of test examples")
            x_val, y_val = x_test[0:n_val].copy(), y_test[0:n_val].copy()
            x_rest, y_rest = x_test[n_val:total].copy(), y_test[n_val:total].copy()
            return ((x_val, y_val), (x_rest, y_rest))
    """),
    correct("split_validation", "comprehension_over_the_two_arrays", """
        def split_validation(x_test, y_test, n_val=5000):
            if n_val < 0 or n_val > len(y_test):
                raise ValueError("bad n_val")
            val = tuple(a[:n_val, ...] for a in (x_test, y_test))
            rest = tuple(a[n_val:, ...] for a in (x_test, y_test))
            return val, rest
    """),
    wrong("split_validation", "validation_from_the_end", """
        def split_validation(x_test, y_test, n_val=5000):
            if n_val < 0 or n_val > len(x_test):
                raise ValueError("n_val out of range")
            cut = len(x_test) - n_val
            return (x_test[cut:], y_test[cut:]), (x_test[:cut], y_test[:cut])
    """, r"first n_val examples are the validation set"),
    wrong("split_validation", "validation_not_held_out", """
        def split_validation(x_test, y_test, n_val=5000):
            if n_val < 0 or n_val > len(x_test):
                raise ValueError("n_val out of range")
            return (x_test[:n_val], y_test[:n_val]), (x_test, y_test)
    """, r"validation examples .*(also|still) in the test set"),
    wrong("split_validation", "off_by_one_overlap", """
        def split_validation(x_test, y_test, n_val=5000):
            if n_val < 0 or n_val > len(x_test):
                raise ValueError("n_val out of range")
            return (x_test[:n_val], y_test[:n_val]), (x_test[n_val - 1:], y_test[n_val - 1:])
    """, r"validation examples .*(also|still) in the test set"),
    wrong("split_validation", "no_value_error", """
        def split_validation(x_test, y_test, n_val=5000):
            return (x_test[:n_val], y_test[:n_val]), (x_test[n_val:], y_test[n_val:])
    """, r"must raise ValueError"),
    wrong("split_validation", "rejects_the_whole_set", """
        def split_validation(x_test, y_test, n_val=5000):
            if n_val < 0 or n_val >= len(x_test):
                raise ValueError("n_val out of range")
            return (x_test[:n_val], y_test[:n_val]), (x_test[n_val:], y_test[n_val:])
    """, r"n_val=\d+ is allowed.*raised ValueError"),
    wrong("split_validation", "the_posts_loops", """
        def split_validation(x_test, y_test, n_val=5000):
            if n_val < 0 or n_val > len(x_test):
                raise ValueError("n_val out of range")
            x_val, y_val, x_rest, y_rest = [], [], [], []
            for i in range(len(x_test)):
                if i < n_val:
                    x_val.append(x_test[i])
                    y_val.append(y_test[i])
                else:
                    x_rest.append(x_test[i])
                    y_rest.append(y_test[i])
            return ((np.array(x_val, dtype=x_test.dtype).reshape((-1,) + x_test.shape[1:]),
                     np.array(y_val, dtype=y_test.dtype).reshape((-1,) + y_test.shape[1:])),
                    (np.array(x_rest, dtype=x_test.dtype).reshape((-1,) + x_test.shape[1:]),
                     np.array(y_rest, dtype=y_test.dtype).reshape((-1,) + y_test.shape[1:])))
    """, r"one example at a time"),
    wrong("split_validation", "labels_flattened", """
        def split_validation(x_test, y_test, n_val=5000):
            if n_val < 0 or n_val > len(x_test):
                raise ValueError("n_val out of range")
            y = np.ravel(y_test)
            return (x_test[:n_val], y[:n_val]), (x_test[n_val:], y[n_val:])
    """, r"y_val.*expected shape \(4, 1\), found \(4,\)"),
    # ---- build_model ---------------------------------------------------------------------------
    correct("build_model", "explicit_layers_keywords", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            img_input = keras.Input(shape=input_shape)
            x = layers.Conv2D(filters=32, kernel_size=(3, 3), strides=(1, 1), padding="same", activation="relu", name="block1_conv")(img_input)
            x = layers.Dropout(rate=0.256, name="block1_dropout")(x)
            x = layers.MaxPool2D(pool_size=(2, 2), strides=(2, 2), name="block1_pool")(x)
            x = layers.Conv2D(filters=64, kernel_size=(3, 3), padding="same", activation="relu", name="block2_conv")(x)
            x = layers.Dropout(rate=0.25, name="block2_dropout")(x)
            x = layers.MaxPool2D(pool_size=(2, 2), name="block2_pool")(x)
            x = layers.Conv2D(filters=128, kernel_size=(3, 3), padding="same", activation="relu", name="block3_conv")(x)
            x = layers.Dropout(rate=0.25, name="block3_dropout")(x)
            x = layers.MaxPool2D(pool_size=(2, 2), name="block3_pool")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(units=512, activation="relu", name="fc")(x)
            x = layers.Dropout(rate=0.5, name="fc_dropout")(x)
            x = layers.Dense(units=num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=img_input, outputs=x, name="VGG16_Brief")
    """),
    correct("build_model", "nested_sequential_blocks_positional", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            def block(i, filters, rate):
                return keras.Sequential([layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{i}_conv"),
                                         layers.Dropout(rate, name=f"block{i}_dropout"),
                                         layers.MaxPooling2D(2, name=f"block{i}_pool")], name=f"block{i}")
            inputs = keras.Input(input_shape)
            x = block(1, 32, 0.256)(inputs)
            x = block(2, 64, 0.25)(x)
            x = block(3, 128, 0.25)(x)
            head = keras.Sequential([layers.Flatten(name="flatten"), layers.Dense(512, activation="relu", name="fc"),
                                     layers.Dropout(0.5, name="fc_dropout"),
                                     layers.Dense(num_classes, activation="softmax", name="predictions")], name="head")
            return keras.Model(inputs, head(x), name="VGG16_Brief")
    """),
    correct("build_model", "layer_subclass_blocks", """
        class VGGBlock(layers.Layer):
            def __init__(self, index, filters, rate, **kwargs):
                super().__init__(name=f"block{index}", **kwargs)
                self.conv = layers.Conv2D(filters, (3, 3), padding="same", activation=tf.nn.relu, name=f"block{index}_conv")
                self.drop = layers.Dropout(rate, name=f"block{index}_dropout")
                self.pool = layers.MaxPooling2D((2, 2), strides=2, name=f"block{index}_pool")

            def call(self, x, training=None):
                return self.pool(self.drop(self.conv(x), training=training))


        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inp = layers.Input(shape=input_shape)
            x = inp
            for i, (f, r) in enumerate(zip([32, 64, 128], [0.256, 0.25, 0.25]), start=1):
                x = VGGBlock(i, f, r)(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, activation=keras.activations.relu, name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x)
            out = layers.Dense(num_classes, activation=keras.activations.softmax, name="predictions")(x)
            return keras.Model(inputs=[inp], outputs=[out], name="VGG16_Brief")
    """),
    correct("build_model", "list_of_layers_looped", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            stack = []
            for b, (filters, rate) in enumerate(((32, 0.256), (64, 0.25), (128, 0.25))):
                stack += [layers.Conv2D(filters, kernel_size=3, padding="SAME", activation="relu", name="block%d_conv" % (b + 1)),
                          layers.Dropout(rate, name="block%d_dropout" % (b + 1)),
                          layers.MaxPooling2D(pool_size=2, strides=2, padding="valid", name="block%d_pool" % (b + 1))]
            stack += [layers.Flatten(name="flatten"), layers.Dense(512, activation="relu", name="fc"),
                      layers.Dropout(0.5, name="fc_dropout"), layers.Dense(num_classes, activation="softmax", name="predictions")]
            inputs = keras.layers.Input(shape=input_shape, name="img_input")
            outputs = inputs
            for layer in stack:
                outputs = layer(outputs)
            model = keras.models.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
            return model
    """),
    correct("build_model", "block_function_on_tensors", """
        def conv_block(x, n, filters, dropout):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same", name="block" + str(n) + "_conv")(x)
            x = layers.Dropout(dropout, name="block" + str(n) + "_dropout")(x)
            return layers.MaxPooling2D((2, 2), (2, 2), name="block" + str(n) + "_pool")(x)


        def build_model(input_shape=(32, 32, 3), num_classes=10):
            img_input = keras.Input(shape=input_shape)
            x = conv_block(img_input, 1, 32, 0.256)
            x = conv_block(x, 2, 64, 0.25)
            x = conv_block(x, 3, 128, 0.25)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, "relu", name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x)
            predictions = layers.Dense(num_classes, "softmax", name="predictions")(x)
            model = keras.Model(img_input, predictions)
            model.name = "VGG16_Brief"
            return model
    """),
    wrong("build_model", "padding_valid", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
                x = layers.Conv2D(filters, 3, activation="relu", name=f"block{block}_conv")(x)
                x = layers.Dropout(rate, name=f"block{block}_dropout")(x)
                x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, activation="relu", name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x)
            outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    """, r"padding='same'"),
    wrong("build_model", "no_softmax", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
                x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv")(x)
                x = layers.Dropout(rate, name=f"block{block}_dropout")(x)
                x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, activation="relu", name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x)
            outputs = layers.Dense(num_classes, name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    """, r"activation 'softmax', found 'linear'"),
    wrong("build_model", "softmax_twice_with_ops", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
                x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv")(x)
                x = layers.Dropout(rate, name=f"block{block}_dropout")(x)
                x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, activation="relu", name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x)
            x = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=keras.ops.softmax(x), name="VGG16_Brief")
    """, r"softmax"),
    wrong("build_model", "first_dropout_0_25", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for block, filters in enumerate([32, 64, 128], 1):
                x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv")(x)
                x = layers.Dropout(0.25, name=f"block{block}_dropout")(x)
                x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, activation="relu", name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x)
            outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    """, r"dropout rate 0\.256, found 0\.25"),
    wrong("build_model", "pool_before_dropout", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
                x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv")(x)
                x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
                x = layers.Dropout(rate, name=f"block{block}_dropout")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, activation="relu", name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x)
            outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    """, r"Layer 2: expected a Dropout, found a MaxPooling2D"),
    wrong("build_model", "same_layers_reused", """
        _STACK = [layers.Conv2D(32, 3, padding="same", activation="relu", name="block1_conv"),
                  layers.Dropout(0.256, name="block1_dropout"), layers.MaxPooling2D(2, name="block1_pool"),
                  layers.Conv2D(64, 3, padding="same", activation="relu", name="block2_conv"),
                  layers.Dropout(0.25, name="block2_dropout"), layers.MaxPooling2D(2, name="block2_pool"),
                  layers.Conv2D(128, 3, padding="same", activation="relu", name="block3_conv"),
                  layers.Dropout(0.25, name="block3_dropout"), layers.MaxPooling2D(2, name="block3_pool"),
                  layers.Flatten(name="flatten"), layers.Dense(512, activation="relu", name="fc"),
                  layers.Dropout(0.5, name="fc_dropout")]

        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for layer in _STACK:
                x = layer(x)
            outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    """, r"NEW model"),
    wrong("build_model", "input_shape_ignored", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=(32, 32, 3))
            x = inputs
            for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
                x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv")(x)
                x = layers.Dropout(rate, name=f"block{block}_dropout")(x)
                x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, activation="relu", name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x)
            outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    """, r"input_shape=\(\d+, \d+, 3\)\) must take inputs"),
    wrong("build_model", "dropout_always_on", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
                x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv")(x)
                x = layers.Dropout(rate, name=f"block{block}_dropout")(x, training=True)
                x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, activation="relu", name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x, training=True)
            outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    """, r"training=True"),
    wrong("build_model", "sequential_model", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            stack = [keras.Input(shape=input_shape)]
            for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
                stack += [layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv"),
                          layers.Dropout(rate, name=f"block{block}_dropout"), layers.MaxPooling2D(2, name=f"block{block}_pool")]
            stack += [layers.Flatten(name="flatten"), layers.Dense(512, activation="relu", name="fc"),
                      layers.Dropout(0.5, name="fc_dropout"), layers.Dense(num_classes, activation="softmax", name="predictions")]
            return keras.Sequential(stack, name="VGG16_Brief")
    """, r"functional API"),
    wrong("build_model", "separate_relu_layers", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
                x = layers.Conv2D(filters, 3, padding="same", name=f"block{block}_conv")(x)
                x = layers.ReLU()(x)
                x = layers.Dropout(rate, name=f"block{block}_dropout")(x)
                x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, activation="relu", name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x)
            outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    """, r"activation 'relu', found 'linear'"),
    # ---- compile_model -------------------------------------------------------------------------
    correct("compile_model", "string_loss_positional_lr", """
        def compile_model(model, learning_rate=1e-3):
            model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])
            return model
    """),
    correct("compile_model", "metric_object_named_accuracy", """
        def compile_model(model, learning_rate=0.001):
            opt = keras.optimizers.Adam(learning_rate=learning_rate)
            model.compile(opt, keras.losses.SparseCategoricalCrossentropy(from_logits=False),
                          metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
            return model
    """),
    correct("compile_model", "loss_function_tf_keras", """
        def compile_model(model, learning_rate=1e-3):
            model.compile(loss=keras.losses.sparse_categorical_crossentropy,
                          optimizer=tf.keras.optimizers.Adam(learning_rate=learning_rate),
                          metrics=("accuracy",))
            return model
    """),
    correct("compile_model", "string_optimizer_then_rate", """
        def compile_model(model, learning_rate=1e-3):
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.optimizer.learning_rate = learning_rate
            return model
    """),
    wrong("compile_model", "learning_rate_ignored", """
        def compile_model(model, learning_rate=1e-3):
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"learning_rate=([\d.]+)\).*expected \1, found 0\.001"),
    wrong("compile_model", "from_logits_true", """
        def compile_model(model, learning_rate=1e-3):
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
            return model
    """, r"from_logits"),
    wrong("compile_model", "categorical_crossentropy", """
        def compile_model(model, learning_rate=1e-3):
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"sparse categorical cross-entropy"),
    wrong("compile_model", "metric_acc", """
        def compile_model(model, learning_rate=1e-3):
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["acc"])
            return model
    """, r"metrics=\['accuracy'\]"),
    wrong("compile_model", "accuracy_metric_object", """
        def compile_model(model, learning_rate=1e-3):
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=[keras.metrics.Accuracy()])
            return model
    """, r"accuracy"),
    wrong("compile_model", "returns_none", """
        def compile_model(model, learning_rate=1e-3):
            return model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                                 loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    """, r"must return the model"),
    wrong("compile_model", "sgd", """
        def compile_model(model, learning_rate=1e-3):
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"must be Adam, found SGD"),
    # ---- make_callbacks ------------------------------------------------------------------------
    correct("make_callbacks", "imported_other_order", """
        from keras.callbacks import ReduceLROnPlateau

        def make_callbacks():
            return [ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=5, verbose=1, mode="min", min_lr=0.00001)]
    """),
    correct("make_callbacks", "defaults_for_monitor_and_factor", """
        def make_callbacks():
            return [keras.callbacks.ReduceLROnPlateau(patience=5, min_lr=1e-5)]
    """),
    correct("make_callbacks", "appended_tf_keras", """
        def make_callbacks():
            callbacks = []
            reduce_lr = tf.keras.callbacks.ReduceLROnPlateau(monitor='val_loss', patience=5, factor=1 / 10,
                                                             min_lr=0.1 ** 5, verbose=True, cooldown=0)
            callbacks.append(reduce_lr)
            return callbacks
    """),
    correct("make_callbacks", "list_call_auto_mode", """
        def make_callbacks():
            lr_schedule = keras.callbacks.ReduceLROnPlateau("val_loss", 0.1, 5, 1, "auto", min_lr=1e-5)
            return list([lr_schedule])
    """),
    wrong("make_callbacks", "monitors_val_accuracy", """
        def make_callbacks():
            return [keras.callbacks.ReduceLROnPlateau(monitor="val_accuracy", patience=5, factor=0.1, min_lr=1e-5, verbose=1)]
    """, r"monitor 'val_loss', found 'val_accuracy'"),
    wrong("make_callbacks", "monitors_training_loss", """
        def make_callbacks():
            return [keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=5, factor=0.1, min_lr=1e-5, verbose=1)]
    """, r"monitor 'val_loss', found 'loss'"),
    wrong("make_callbacks", "mode_max", """
        def make_callbacks():
            return [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", mode="max", patience=5, factor=0.1, min_lr=1e-5)]
    """, r"mode"),
    wrong("make_callbacks", "patience_10", """
        def make_callbacks():
            return [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=10, factor=0.1, min_lr=1e-5)]
    """, r"patience must be 5"),
    wrong("make_callbacks", "min_lr_1e_4", """
        def make_callbacks():
            return [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=5, factor=0.1, min_lr=1e-4)]
    """, r"min_lr must be 1e-5"),
    wrong("make_callbacks", "one_shared_callback", """
        _REDUCE_LR = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=5, factor=0.1, min_lr=1e-5, verbose=1)

        def make_callbacks():
            return [_REDUCE_LR]
    """, r"new callback every time"),
    wrong("make_callbacks", "not_a_list", """
        def make_callbacks():
            return keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=5, factor=0.1, min_lr=1e-5)
    """, r"must return a list"),
    # ---- train_model ---------------------------------------------------------------------------
    correct("train_model", "positional_fit", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            history = model.fit(x_train, y_train, batch_size, epochs, verbose, list(callbacks),
                                validation_data=(x_val, y_val))
            return history
    """),
    correct("train_model", "tf_data_pipelines", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            train = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(len(x_train)).batch(batch_size)
            val = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(batch_size)
            return model.fit(train, epochs=epochs, validation_data=val, callbacks=[*callbacks], verbose=verbose)
    """),
    correct("train_model", "callbacks_tuple_and_val_freq", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            return model.fit(x=x_train, y=y_train, validation_data=(x_val, y_val), validation_freq=1,
                             epochs=epochs, batch_size=batch_size, callbacks=callbacks, verbose=verbose, shuffle=True)
    """),
    correct("train_model", "verbose_ignored", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                             validation_data=(x_val, y_val), callbacks=list(callbacks), verbose=0)
    """),
    wrong("train_model", "validation_split_instead", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, validation_split=0.1,
                             callbacks=list(callbacks), verbose=verbose)
    """, r"validation_split"),
    wrong("train_model", "validated_on_training_set", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                             validation_data=(x_train, y_train), callbacks=list(callbacks), verbose=verbose)
    """, r"\(x_val, y_val\)"),
    wrong("train_model", "validated_on_the_test_half", """
        x_test = np.zeros((50, 32, 32, 3), "float32")  # the notebook's own test half, a global
        y_test = np.zeros((50, 1), "uint8")

        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                             validation_data=(x_test, y_test), callbacks=list(callbacks), verbose=verbose)
    """, r"arguments only"),
    wrong("train_model", "batch_size_fixed", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            return model.fit(x_train, y_train, epochs=epochs, batch_size=256,
                             validation_data=(x_val, y_val), callbacks=list(callbacks), verbose=verbose)
    """, r"in batches of \d+ are \d+ batches"),
    wrong("train_model", "callbacks_ignored", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                             validation_data=(x_val, y_val), verbose=verbose)
    """, r"callbacks"),
    wrong("train_model", "one_fit_per_epoch", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            for _ in range(epochs):
                history = model.fit(x_train, y_train, epochs=1, batch_size=batch_size,
                                    validation_data=(x_val, y_val), callbacks=list(callbacks), verbose=verbose)
            return history
    """, r"2 epochs should give 2 loss values"),
]

# Answers added with the judge (coursekit/grading/judge/l02.py): written as other students would, and the
# mistakes only a measured behaviour catches (a cast to one dtype, a default that fits one test-set size, a
# callback's cooldown, Adam's epsilon, fit on more than x_train).
VARIANTS += [
    # ---- split_validation ----------------------------------------------------------------------
    correct("split_validation", "boolean_mask", """
        def split_validation(x_test, y_test, n_val=5000):
            n = len(x_test)
            if n_val < 0 or n_val > n:
                raise ValueError(f"n_val={n_val} is not in [0, {n}]")
            in_val = np.arange(n) < n_val
            return (x_test[in_val], y_test[in_val]), (x_test[~in_val], y_test[~in_val])
    """),
    correct("split_validation", "np_take_index_ranges", """
        def split_validation(x_test, y_test, n_val=5000):
            total = np.shape(x_test)[0]
            if not isinstance(n_val, (int, np.integer)) or not 0 <= n_val <= total:
                raise ValueError("n_val must be an integer between 0 and len(x_test)")
            head, tail = np.arange(n_val), np.arange(n_val, total)
            pick = lambda a, rows: np.take(a, rows, axis=0)
            return (pick(x_test, head), pick(y_test, head)), (pick(x_test, tail), pick(y_test, tail))
    """),
    correct("split_validation", "slice_objects", """
        def split_validation(x_test, y_test, n_val=5000):
            if n_val > len(x_test) or n_val < 0:
                raise ValueError("cannot split %d validation examples off %d" % (n_val, len(x_test)))
            val_part, test_part = slice(None, n_val), slice(n_val, None)
            return tuple((x_test[part], y_test[part]) for part in (val_part, test_part))
    """),
    wrong("split_validation", "default_half_of_the_set", """
        def split_validation(x_test, y_test, n_val=None):
            if n_val is None:
                n_val = len(x_test) // 2   # the post's 5,000 out of 10,000
            if not 0 <= n_val <= len(x_test):
                raise ValueError("n_val out of range")
            return (x_test[:n_val], y_test[:n_val]), (x_test[n_val:], y_test[n_val:])
    """, r"default n_val must be 5000"),
    wrong("split_validation", "negative_n_val_accepted", """
        def split_validation(x_test, y_test, n_val=5000):
            if n_val > len(x_test):
                raise ValueError("not enough test examples for that many validation examples")
            return (x_test[:n_val], y_test[:n_val]), (x_test[n_val:], y_test[n_val:])
    """, r"must raise ValueError when n_val is negative"),
    wrong("split_validation", "labels_cast_to_int64", """
        def split_validation(x_test, y_test, n_val=5000):
            x_test = np.asarray(x_test)
            y_test = np.asarray(y_test).astype("int64")  # sparse labels as int64, like Keras wants
            if not 0 <= n_val <= len(x_test):
                raise ValueError("n_val out of range")
            return (x_test[:n_val], y_test[:n_val]), (x_test[n_val:], y_test[n_val:])
    """, r"y_rest \(keep the labels' dtype\): expected dtype uint8, found int64"),
    wrong("split_validation", "shuffled_before_splitting", """
        def split_validation(x_test, y_test, n_val=5000):
            if n_val < 0 or n_val > len(x_test):
                raise ValueError("n_val out of range")
            order = np.random.permutation(len(x_test))   # mix the classes first
            x_test, y_test = x_test[order], y_test[order]
            return (x_test[:n_val], y_test[:n_val]), (x_test[n_val:], y_test[n_val:])
    """, r"first n_val examples are the validation set"),
    # ---- build_model ---------------------------------------------------------------------------
    correct("build_model", "tf_nn_activations", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            image = keras.Input(input_shape)
            h = image
            for n, (width, drop) in enumerate(zip((32, 64, 128), (0.256, 0.25, 0.25))):
                h = layers.Conv2D(width, kernel_size=3, padding="same", activation=tf.nn.relu, name=f"block{n + 1}_conv")(h)
                h = layers.Dropout(drop, name=f"block{n + 1}_dropout")(h)
                h = layers.MaxPool2D(name=f"block{n + 1}_pool")(h)
            h = layers.Flatten(name="flatten")(h)
            h = layers.Dense(512, activation=tf.nn.relu, name="fc")(h)
            h = layers.Dropout(0.5, name="fc_dropout")(h)
            probs = layers.Dense(num_classes, activation=tf.nn.softmax, name="predictions")(h)
            return keras.Model(image, probs, name="VGG16_Brief")
    """),
    correct("build_model", "model_subclass_with_functional_init", """
        class VGG16Brief(keras.Model):
            def __init__(self, input_shape, num_classes):
                inputs = keras.Input(shape=input_shape)
                x = inputs
                for i, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], start=1):
                    x = layers.Conv2D(filters, (3, 3), padding="same", activation="relu", name=f"block{i}_conv")(x)
                    x = layers.Dropout(rate, name=f"block{i}_dropout")(x)
                    x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{i}_pool")(x)
                x = layers.Flatten(name="flatten")(x)
                x = layers.Dense(512, activation="relu", name="fc")(x)
                x = layers.Dropout(0.5, name="fc_dropout")(x)
                outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
                super().__init__(inputs=inputs, outputs=outputs, name="VGG16_Brief")


        def build_model(input_shape=(32, 32, 3), num_classes=10):
            return VGG16Brief(input_shape, num_classes)
    """),
    correct("build_model", "table_as_data", """
        TABLE = [("conv", 32, "block1_conv"), ("drop", 0.256, "block1_dropout"), ("pool", 2, "block1_pool"),
                 ("conv", 64, "block2_conv"), ("drop", 0.25, "block2_dropout"), ("pool", 2, "block2_pool"),
                 ("conv", 128, "block3_conv"), ("drop", 0.25, "block3_dropout"), ("pool", 2, "block3_pool"),
                 ("flat", None, "flatten"), ("dense", 512, "fc"), ("drop", 0.5, "fc_dropout")]

        def build_model(input_shape=(32, 32, 3), num_classes=10):
            make = {"conv": lambda v, n: keras.layers.Convolution2D(v, 3, padding="same", activation=keras.activations.relu, name=n),
                    "drop": lambda v, n: keras.layers.Dropout(v, name=n),
                    "pool": lambda v, n: keras.layers.MaxPooling2D(v, name=n),
                    "flat": lambda v, n: keras.layers.Flatten(name=n),
                    "dense": lambda v, n: keras.layers.Dense(v, activation="relu", name=n)}
            inputs = keras.layers.Input(shape=input_shape)
            x = inputs
            for kind, value, name in TABLE:
                x = make[kind](value, name)(x)
            x = keras.layers.Dense(num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=x, name="VGG16_Brief")
    """),
    wrong("build_model", "dropout_branch_unused", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
                conv = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv")(x)
                drop = layers.Dropout(rate, name=f"block{block}_dropout")(conv)
                x = layers.MaxPooling2D(2, name=f"block{block}_pool")(conv)   # pools conv, not drop
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, activation="relu", name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x)
            outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    """, r"Layer 2: expected a Dropout, found a MaxPooling2D"),
    wrong("build_model", "ten_classes_hard_coded", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            img = keras.Input(shape=input_shape)
            x = layers.Conv2D(32, 3, padding="same", activation="relu", name="block1_conv")(img)
            x = layers.MaxPooling2D(2, name="block1_pool")(layers.Dropout(0.256, name="block1_dropout")(x))
            x = layers.Conv2D(64, 3, padding="same", activation="relu", name="block2_conv")(x)
            x = layers.MaxPooling2D(2, name="block2_pool")(layers.Dropout(0.25, name="block2_dropout")(x))
            x = layers.Conv2D(128, 3, padding="same", activation="relu", name="block3_conv")(x)
            x = layers.MaxPooling2D(2, name="block3_pool")(layers.Dropout(0.25, name="block3_dropout")(x))
            x = layers.Dropout(0.5, name="fc_dropout")(layers.Dense(512, activation="relu", name="fc")(layers.Flatten(name="flatten")(x)))
            return keras.Model(img, layers.Dense(10, activation="softmax", name="predictions")(x), name="VGG16_Brief")
    """, r"Layer 13 .*expected \d+ units, found 10"),
    wrong("build_model", "own_layer_names", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for i, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)]):
                x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{i}")(x)
                x = layers.Dropout(rate, name=f"dropout{i}")(x)
                x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
            x = layers.Flatten()(x)
            x = layers.Dense(512, activation="relu", name="dense_512")(x)
            x = layers.Dropout(0.5)(x)
            outputs = layers.Dense(num_classes, activation="softmax", name="output")(x)
            return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    """, r"expected name 'block1_conv', found 'conv0'"),
    wrong("build_model", "dilated_convolutions", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
                # a wider view for the same 3x3 weights
                x = layers.Conv2D(filters, 3, dilation_rate=2, padding="same", activation="relu", name=f"block{block}_conv")(x)
                x = layers.Dropout(rate, name=f"block{block}_dropout")(x)
                x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, activation="relu", name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x)
            outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    """, r"output with the grader's weights .* differs"),
    wrong("build_model", "rescaling_inside_the_model", """
        def build_model(input_shape=(32, 32, 3), num_classes=10):
            inputs = keras.Input(shape=input_shape)
            x = layers.Rescaling(1.0 / 255)(inputs)   # the post feeds raw pixels
            for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
                x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv")(x)
                x = layers.Dropout(rate, name=f"block{block}_dropout")(x)
                x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
            x = layers.Flatten(name="flatten")(x)
            x = layers.Dense(512, activation="relu", name="fc")(x)
            x = layers.Dropout(0.5, name="fc_dropout")(x)
            outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
            return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    """, r"Layer 1: expected a Conv2D, found a Rescaling"),
    # ---- compile_model -------------------------------------------------------------------------
    correct("compile_model", "adam_subclass", """
        class CourseAdam(keras.optimizers.Adam):
            \"\"\"Adam under the course's name, for the logs.\"\"\"
            def __init__(self, learning_rate=1e-3, **kwargs):
                super().__init__(learning_rate=learning_rate, name="course_adam", **kwargs)


        def compile_model(model, learning_rate=1e-3):
            model.compile(optimizer=CourseAdam(learning_rate), loss=keras.losses.SparseCategoricalCrossentropy(),
                          metrics=["accuracy"])
            return model
    """),
    correct("compile_model", "objects_by_name", """
        def compile_model(model, learning_rate=1e-3):
            optimizer = keras.optimizers.get({"class_name": "Adam", "config": {"learning_rate": learning_rate}})
            loss = keras.losses.get("sparse_categorical_crossentropy")
            model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
            return model
    """),
    correct("compile_model", "settings_dict", """
        def compile_model(model, learning_rate=1e-3):
            settings = {"optimizer": tf.keras.optimizers.Adam(learning_rate=float(learning_rate)),
                        "loss": tf.keras.losses.SparseCategoricalCrossentropy(from_logits=False),
                        "metrics": [tf.keras.metrics.SparseCategoricalAccuracy(name="accuracy")]}
            model.compile(**settings)
            return model
    """),
    wrong("compile_model", "adam_epsilon_from_the_docs", """
        def compile_model(model, learning_rate=1e-3):
            # the Adam docs suggest epsilon=1.0 for Inception on ImageNet
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate, epsilon=1.0),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model
    """, r"one step of Adam with learning rate 0\.001"),
    wrong("compile_model", "loss_summed_over_the_batch", """
        def compile_model(model, learning_rate=1e-3):
            model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                          loss=keras.losses.SparseCategoricalCrossentropy(reduction="sum"), metrics=["accuracy"])
            return model
    """, r"sparse categorical cross-entropy, -mean\(log p\[label\]\)"),
    wrong("compile_model", "metric_named_sparse_categorical_accuracy", """
        def compile_model(model, learning_rate=1e-3):
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
            return model
    """, r"metrics=\['accuracy'\]"),
    wrong("compile_model", "compiles_a_clone", """
        def compile_model(model, learning_rate=1e-3):
            fresh = keras.models.clone_model(model)   # leave the caller's model untouched
            fresh.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return fresh
    """, r"must return the model it compiled"),
    # ---- make_callbacks ------------------------------------------------------------------------
    correct("make_callbacks", "subclass_with_the_posts_settings", """
        class PostSchedule(keras.callbacks.ReduceLROnPlateau):
            \"\"\"The post's learning-rate schedule.\"\"\"
            def __init__(self):
                super().__init__(monitor="val_loss", factor=0.1, patience=5, min_lr=1e-5, verbose=1)


        def make_callbacks():
            return [PostSchedule()]
    """),
    correct("make_callbacks", "settings_dict_every_option", """
        def make_callbacks():
            settings = {"monitor": "val_loss", "factor": 1e-1, "patience": 5, "min_lr": 1e-5,
                        "mode": "min", "min_delta": 1e-4, "cooldown": 0, "verbose": 0}
            return [keras.callbacks.ReduceLROnPlateau(**settings)]
    """),
    wrong("make_callbacks", "cooldown_added", """
        def make_callbacks():
            return [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=5, min_lr=1e-5,
                                                      cooldown=2, verbose=1)]
    """, r"cooldown=2"),
    wrong("make_callbacks", "min_lr_in_the_min_delta_slot", """
        def make_callbacks():
            # monitor, factor, patience, verbose, mode, min_lr
            return [keras.callbacks.ReduceLROnPlateau("val_loss", 0.1, 5, 1, "auto", 1e-5)]
    """, r"min_lr must be 1e-5, found 0"),
    wrong("make_callbacks", "with_early_stopping", """
        def make_callbacks():
            reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=5, factor=0.1, min_lr=1e-5, verbose=1)
            stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)
            return [reduce_lr, stop]
    """, r"list with one callback"),
    wrong("make_callbacks", "halves_the_rate", """
        def make_callbacks():
            return [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=5, min_lr=1e-5)]
    """, r"factor must be 0\.1, found 0\.5"),
    # ---- train_model ---------------------------------------------------------------------------
    correct("train_model", "fit_arguments_dict", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            fit_args = dict(epochs=epochs, batch_size=batch_size, verbose=verbose,
                            callbacks=[cb for cb in callbacks], validation_data=(x_val, y_val))
            history = model.fit(x_train, y_train, **fit_args)
            print("last val_accuracy:", history.history["val_accuracy"][-1])
            return history
    """),
    correct("train_model", "repeated_dataset_with_steps", """
        import math

        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            steps = math.ceil(len(x_train) / batch_size)
            train = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(batch_size).repeat()
            return model.fit(train, steps_per_epoch=steps, epochs=epochs, validation_data=(x_val, y_val),
                             callbacks=list(callbacks), verbose=verbose)
    """),
    correct("train_model", "flat_labels", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            y_train, y_val = np.ravel(y_train), np.ravel(y_val)
            return model.fit(np.asarray(x_train), y_train, batch_size=batch_size, epochs=epochs, verbose=verbose,
                             callbacks=callbacks, validation_data=(np.asarray(x_val), y_val))
    """),
    wrong("train_model", "steps_per_epoch_rounded_down", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                             steps_per_epoch=len(x_train) // batch_size,
                             validation_data=(x_val, y_val), callbacks=list(callbacks), verbose=verbose)
    """, r"4 in 2 epochs; your callbacks saw 2"),
    wrong("train_model", "trains_on_train_and_val", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            x_all = np.concatenate([x_train, x_val])   # more data helps
            y_all = np.concatenate([y_train, y_val])
            return model.fit(x_all, y_all, epochs=epochs, batch_size=batch_size,
                             validation_data=(x_val, y_val), callbacks=list(callbacks), verbose=verbose)
    """, r"train on all of x_train, y_train \(300 examples\).*trained on 330 examples"),
    wrong("train_model", "validates_every_other_epoch", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, validation_data=(x_val, y_val),
                             validation_freq=2, callbacks=list(callbacks), verbose=verbose)
    """, r"validate after every epoch"),
    wrong("train_model", "returns_the_history_dict", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                                validation_data=(x_val, y_val), callbacks=list(callbacks), verbose=verbose)
            return history.history
    """, r"must return the History from model.fit, found dict"),
    wrong("train_model", "validates_on_half_of_x_val", """
        def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
            half = len(x_val) // 2   # validation is slow: half is enough
            return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                             validation_data=(x_val[:half], y_val[:half]), callbacks=list(callbacks), verbose=verbose)
    """, r"validation_data=\(x_val, y_val\)"),
]
