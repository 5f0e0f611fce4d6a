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
    """, r"n_val=37.*raised ValueError"),
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
    """, r"input_shape=\(64, 48, 3\)"),
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
    """, r"learning_rate=0\.02.*expected 0\.02, found 0\.001"),
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
    """, r"batches of 100"),
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
