"""Variants of lesson 04 (see tests/variants/__init__.py): the full VGG16 with BatchNormalization on
CIFAR-10 (Sequential API), saving and reloading in the Keras 3 formats, and the augmenter.

build_vgg16_bn builds a 33.7-million-parameter model four times per grading: its corpus is kept small
(six correct and nine wrong answers)."""
from tests.variants import correct, wrong

VARIANTS = [
    # ---- build_vgg16_bn ------------------------------------------------------------------------
    correct("build_vgg16_bn", "nested_sequential_blocks_relu_layers", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            model = keras.Sequential([keras.Input(shape=input_shape)], name="vgg16_bn")
            n_bn = 1
            for b, (filters, n_convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], start=1):
                block = keras.Sequential(name=f"block{b}")
                for c in range(1, n_convs + 1):
                    block.add(layers.Conv2D(filters, 3, padding="same", name=f"block{b}_conv{c}"))
                    block.add(layers.BatchNormalization(name=f"bn{n_bn}"))
                    block.add(layers.ReLU())
                    n_bn += 1
                block.add(layers.MaxPooling2D(2, strides=2, padding="same", name=f"block{b}_pool"))
                model.add(block)
            model.add(keras.Sequential([
                layers.Flatten(name="flatten"),
                layers.Dense(4096, activation="relu", name="fc1"),
                layers.Dense(4096, activation="relu", name="fc2"),
                layers.Dense(num_classes, activation="softmax", name="predictions", dtype="float32"),
            ], name="head"))
            return model
    """),
    correct("build_vgg16_bn", "layer_subclass_blocks", """
        class ConvBNReLU(layers.Layer):
            def __init__(self, filters, conv_name, bn_name, **kwargs):
                super().__init__(**kwargs)
                self.conv = layers.Conv2D(filters=filters, kernel_size=(3, 3), strides=(1, 1), padding="same",
                                          name=conv_name)
                self.bn = layers.BatchNormalization(name=bn_name)
                self.act = layers.Activation("relu")

            def call(self, x, training=None):
                return self.act(self.bn(self.conv(x), training=training))

        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            stack = [keras.Input(shape=input_shape)]
            k = 0
            for b, convs in enumerate([[64, 64], [128, 128], [256] * 3, [512] * 3, [512] * 3], 1):
                for c, f in enumerate(convs, 1):
                    k += 1
                    stack.append(ConvBNReLU(f, f"block{b}_conv{c}", f"bn{k}"))
                stack.append(layers.MaxPool2D(pool_size=(2, 2), strides=(2, 2), padding="same", name=f"block{b}_pool"))
            stack += [layers.Flatten(name="flatten"), layers.Dense(units=4096, activation="relu", name="fc1"),
                      layers.Dense(units=4096, activation="relu", name="fc2"),
                      layers.Dense(units=num_classes, activation="softmax", name="predictions", dtype="float32")]
            return keras.Sequential(stack)
    """),
    correct("build_vgg16_bn", "layer_list_keywords_relu_function", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            config = {1: [64, 64], 2: [128, 128], 3: [256, 256, 256], 4: [512, 512, 512], 5: [512, 512, 512]}
            vgg_layers = []
            bn_index = 0
            for block, filter_list in config.items():
                for i, filters in enumerate(filter_list):
                    bn_index += 1
                    vgg_layers.append(layers.Conv2D(filters=filters, kernel_size=3, strides=1, padding="same",
                                                    activation=None, name="block%d_conv%d" % (block, i + 1)))
                    vgg_layers.append(layers.BatchNormalization(name="bn%d" % bn_index))
                    vgg_layers.append(layers.Activation(keras.activations.relu))
                vgg_layers.append(layers.MaxPooling2D(pool_size=2, strides=2, padding="same", name="block%d_pool" % block))
            model = keras.Sequential(name="VGG16_BN")
            model.add(keras.layers.Input(input_shape))
            for layer in vgg_layers:
                model.add(layer)
            model.add(layers.Flatten(name="flatten"))
            for name in ("fc1", "fc2"):
                model.add(layers.Dense(4096, "relu", name=name))
            model.add(layers.Dense(num_classes, "softmax", name="predictions", dtype="float32"))
            return model
    """),
    correct("build_vgg16_bn", "unrolled_adds_with_helper", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            model = keras.Sequential()
            model.add(keras.Input(shape=input_shape))
            count = [0]

            def conv_bn_relu(filters, name):
                count[0] += 1
                model.add(layers.Conv2D(filters, (3, 3), padding="same", name=name))
                model.add(layers.BatchNormalization(name=f"bn{count[0]}"))
                model.add(layers.ReLU())

            conv_bn_relu(64, "block1_conv1"); conv_bn_relu(64, "block1_conv2")
            model.add(layers.MaxPooling2D((2, 2), (2, 2), "same", name="block1_pool"))
            conv_bn_relu(128, "block2_conv1"); conv_bn_relu(128, "block2_conv2")
            model.add(layers.MaxPooling2D((2, 2), (2, 2), "same", name="block2_pool"))
            conv_bn_relu(256, "block3_conv1"); conv_bn_relu(256, "block3_conv2"); conv_bn_relu(256, "block3_conv3")
            model.add(layers.MaxPooling2D((2, 2), (2, 2), "same", name="block3_pool"))
            conv_bn_relu(512, "block4_conv1"); conv_bn_relu(512, "block4_conv2"); conv_bn_relu(512, "block4_conv3")
            model.add(layers.MaxPooling2D((2, 2), (2, 2), "same", name="block4_pool"))
            conv_bn_relu(512, "block5_conv1"); conv_bn_relu(512, "block5_conv2"); conv_bn_relu(512, "block5_conv3")
            model.add(layers.MaxPooling2D((2, 2), (2, 2), "same", name="block5_pool"))
            model.add(layers.Flatten(name="flatten"))
            model.add(layers.Dense(4096, activation="relu", name="fc1"))
            model.add(layers.Dense(4096, activation="relu", name="fc2"))
            model.add(layers.Dense(num_classes, activation="softmax", name="predictions", dtype="float32"))
            return model
    """),
    wrong("build_vgg16_bn", "relu_in_the_conv_then_bn", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            bn = 0
            for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
                for conv in range(1, convs + 1):
                    bn += 1
                    model.add(layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv{conv}"))
                    model.add(layers.BatchNormalization(name=f"bn{bn}"))
                model.add(layers.MaxPooling2D(2, strides=2, padding="same", name=f"block{block}_pool"))
            model.add(layers.Flatten(name="flatten"))
            model.add(layers.Dense(4096, activation="relu", name="fc1"))
            model.add(layers.Dense(4096, activation="relu", name="fc2"))
            model.add(layers.Dense(num_classes, activation="softmax", name="predictions", dtype="float32"))
            return model
    """, r"'block1_conv1'.*expected activation 'linear', found 'relu'"),
    wrong("build_vgg16_bn", "pools_with_valid_padding", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            bn = 0
            for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
                for conv in range(1, convs + 1):
                    bn += 1
                    model.add(layers.Conv2D(filters, 3, padding="same", name=f"block{block}_conv{conv}"))
                    model.add(layers.BatchNormalization(name=f"bn{bn}"))
                    model.add(layers.Activation("relu"))
                model.add(layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool"))
            model.add(layers.Flatten(name="flatten"))
            model.add(layers.Dense(4096, activation="relu", name="fc1"))
            model.add(layers.Dense(4096, activation="relu", name="fc2"))
            model.add(layers.Dense(num_classes, activation="softmax", name="predictions", dtype="float32"))
            return model
    """, r"'block1_pool'.*expected padding='same', found padding='valid'"),
    wrong("build_vgg16_bn", "one_model_reused", """
        _VGG = None

        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            global _VGG
            if _VGG is None:
                _VGG = keras.Sequential([keras.Input(shape=input_shape)])
                bn = 0
                for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
                    for conv in range(1, convs + 1):
                        bn += 1
                        _VGG.add(layers.Conv2D(filters, 3, padding="same", name=f"block{block}_conv{conv}"))
                        _VGG.add(layers.BatchNormalization(name=f"bn{bn}"))
                        _VGG.add(layers.Activation("relu"))
                    _VGG.add(layers.MaxPooling2D(2, strides=2, padding="same", name=f"block{block}_pool"))
                _VGG.add(layers.Flatten(name="flatten"))
                _VGG.add(layers.Dense(4096, activation="relu", name="fc1"))
                _VGG.add(layers.Dense(4096, activation="relu", name="fc2"))
                _VGG.add(layers.Dense(num_classes, activation="softmax", name="predictions", dtype="float32"))
            return _VGG
    """, r"must build a NEW model"),
    wrong("build_vgg16_bn", "float16_probabilities", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            bn = 0
            for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
                for conv in range(1, convs + 1):
                    bn += 1
                    model.add(layers.Conv2D(filters, 3, padding="same", name=f"block{block}_conv{conv}"))
                    model.add(layers.BatchNormalization(name=f"bn{bn}"))
                    model.add(layers.ReLU())
                model.add(layers.MaxPooling2D(2, strides=2, padding="same", name=f"block{block}_pool"))
            model.add(layers.Flatten(name="flatten"))
            model.add(layers.Dense(4096, activation="relu", name="fc1"))
            model.add(layers.Dense(4096, activation="relu", name="fc2"))
            model.add(layers.Dense(num_classes, activation="softmax", name="predictions"))
            return model
    """, r"last layer must still compute in float32.*'predictions' computing in float16"),
    # ---- save_and_reload -----------------------------------------------------------------------
    correct("save_and_reload", "fstring_paths_saving_api", """
        def save_and_reload(model, folder):
            keras.saving.save_model(model, f"{folder}/model.keras")
            model.save_weights(f"{folder}/model.weights.h5")
            reloaded = keras.saving.load_model(f"{folder}/model.keras")
            restored = keras.models.clone_model(model)
            restored.load_weights(f"{folder}/model.weights.h5")
            return (reloaded, restored)
    """),
    correct("save_and_reload", "pathlib_clone_first", """
        from pathlib import Path

        def save_and_reload(model, folder):
            folder = Path(folder)
            restored = keras.models.clone_model(model)
            model.save(folder / "model.keras")
            model.save_weights(folder / "model.weights.h5")
            restored.load_weights(folder / "model.weights.h5")
            return keras.models.load_model(folder / "model.keras"), restored
    """),
    correct("save_and_reload", "model_from_json_copy", """
        def save_and_reload(model, folder):
            paths = {ext: os.path.join(folder, "model" + ext) for ext in (".keras", ".weights.h5")}
            model.save(filepath=paths[".keras"])
            model.save_weights(filepath=paths[".weights.h5"])
            reloaded = keras.models.load_model(paths[".keras"], compile=True)
            restored = keras.models.model_from_json(model.to_json())
            restored.load_weights(paths[".weights.h5"])
            return reloaded, restored
    """),
    correct("save_and_reload", "from_config_copy_compiled", """
        def save_and_reload(model, folder):
            keras_file = os.path.join(folder, "model.keras")
            weights_file = os.path.join(folder, "model.weights.h5")
            model.save(keras_file)
            model.save_weights(weights_file)
            restored = model.__class__.from_config(model.get_config())
            restored.compile(optimizer="adam", loss="categorical_crossentropy")
            restored.load_weights(weights_file)
            reloaded = keras.models.load_model(keras_file)
            return reloaded, restored
    """),
    wrong("save_and_reload", "weights_loaded_back_into_the_original", """
        def save_and_reload(model, folder):
            model.save(os.path.join(folder, "model.keras"))
            model.save_weights(os.path.join(folder, "model.weights.h5"))
            reloaded = keras.models.load_model(os.path.join(folder, "model.keras"))
            model.load_weights(os.path.join(folder, "model.weights.h5"))
            return reloaded, model
    """, r"must return new models: restored is the model it was given"),
    wrong("save_and_reload", "copy_shares_the_layers", """
        def save_and_reload(model, folder):
            model.save(os.path.join(folder, "model.keras"))
            model.save_weights(os.path.join(folder, "model.weights.h5"))
            reloaded = keras.models.load_model(os.path.join(folder, "model.keras"))
            restored = keras.Model(inputs=model.inputs, outputs=model.outputs)   # "a copy of the architecture"
            restored.load_weights(os.path.join(folder, "model.weights.h5"))
            return reloaded, restored
    """, r"restored shares layers and weights with the model it was given.*clone_model"),
    wrong("save_and_reload", "clone_without_load_weights", """
        def save_and_reload(model, folder):
            model.save(os.path.join(folder, "model.keras"))
            model.save_weights(os.path.join(folder, "model.weights.h5"))
            return keras.models.load_model(os.path.join(folder, "model.keras")), keras.models.clone_model(model)
    """, r"predictions of the copy with model.weights.h5 loaded: values differ"),
    wrong("save_and_reload", "load_model_compile_false", """
        def save_and_reload(model, folder):
            model.save(os.path.join(folder, "model.keras"))
            model.save_weights(os.path.join(folder, "model.weights.h5"))
            reloaded = keras.models.load_model(os.path.join(folder, "model.keras"), compile=False)
            restored = keras.models.clone_model(model)
            restored.load_weights(os.path.join(folder, "model.weights.h5"))
            return reloaded, restored
    """, r"should keep the optimizer state \(3 steps\), found no optimizer"),
    wrong("save_and_reload", "legacy_h5_names_of_the_post", """
        def save_and_reload(model, folder):
            model.save(os.path.join(folder, "cifar10-CNN.h5"))
            model.save_weights(os.path.join(folder, "cifar10-CNN.weights.h5"))
            reloaded = keras.models.load_model(os.path.join(folder, "cifar10-CNN.h5"))
            restored = keras.models.clone_model(model)
            restored.load_weights(os.path.join(folder, "cifar10-CNN.weights.h5"))
            return reloaded, restored
    """, r"must write model.keras and model.weights.h5 into the folder; found \['cifar10-CNN.h5'"),
    # ---- make_augmenter ------------------------------------------------------------------------
    correct("make_augmenter", "add_calls_keywords", """
        def make_augmenter(image_size=32, pad=4):
            f = pad / image_size
            augmenter = keras.Sequential(name="augment")
            augmenter.add(layers.RandomFlip(mode="horizontal"))
            augmenter.add(layers.RandomTranslation(height_factor=f, width_factor=f, fill_mode="constant",
                                                   interpolation="nearest"))
            return augmenter
    """),
    correct("make_augmenter", "translation_first_tuple_factors", """
        def make_augmenter(image_size=32, pad=4):
            shift = float(pad) / float(image_size)
            return keras.Sequential([
                layers.RandomTranslation((-shift, shift), (-shift, shift), fill_mode="constant", fill_value=0,
                                         interpolation="nearest"),
                layers.RandomFlip("horizontal"),
            ])
    """),
    correct("make_augmenter", "seeded_layers", """
        def make_augmenter(image_size=32, pad=4, seed=42):
            return keras.Sequential([
                keras.layers.RandomFlip("horizontal", seed=seed),
                keras.layers.RandomTranslation(pad / image_size, pad / image_size, fill_mode="constant",
                                               interpolation="nearest", seed=seed + 1),
            ])
    """),
    correct("make_augmenter", "layer_list_loop", """
        def make_augmenter(image_size=32, pad=4):
            steps = [layers.RandomFlip("horizontal"),
                     layers.RandomTranslation(pad / image_size, pad / image_size, "constant", "nearest")]
            model = keras.Sequential()
            for step in steps:
                model.add(step)
            return model
    """),
    wrong("make_augmenter", "flips_upside_down_too", """
        def make_augmenter(image_size=32, pad=4):
            f = pad / image_size
            return keras.Sequential([layers.RandomFlip(),
                                     layers.RandomTranslation(f, f, fill_mode="constant", interpolation="nearest")])
    """, r"never be flipped upside down"),
    wrong("make_augmenter", "bilinear_blends_pixels", """
        def make_augmenter(image_size=32, pad=4):
            f = pad / image_size
            return keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomTranslation(f, f, fill_mode="constant")])
    """, r"moved, not blended: use interpolation='nearest'"),
    wrong("make_augmenter", "reflect_fill_default", """
        def make_augmenter(image_size=32, pad=4):
            f = pad / image_size
            return keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomTranslation(f, f, interpolation="nearest")])
    """, r"fill the gap a shift leaves with zeros \(fill_mode='constant'\)"),
    wrong("make_augmenter", "factor_of_the_padded_size", """
        def make_augmenter(image_size=32, pad=4):
            f = pad / (image_size + 2 * pad)   # the padded image is 40 pixels wide
            return keras.Sequential([layers.RandomFlip("horizontal"),
                                     layers.RandomTranslation(f, f, fill_mode="constant", interpolation="nearest")])
    """, r"shifts sideways \(empty columns\) should reach up to 4 pixels.*the largest was 3"),
    wrong("make_augmenter", "factor_twice_too_large", """
        def make_augmenter(image_size=32, pad=4):
            f = 2 * pad / image_size   # 4 pixels on each side: 8 in all
            return keras.Sequential([layers.RandomFlip("horizontal"),
                                     layers.RandomTranslation(f, f, fill_mode="constant", interpolation="nearest")])
    """, r"should reach up to 4 pixels and no further.*the largest was [5-8]"),
    wrong("make_augmenter", "only_sideways_shifts", """
        def make_augmenter(image_size=32, pad=4):
            f = pad / image_size
            return keras.Sequential([layers.RandomFlip("horizontal"),
                                     layers.RandomTranslation(0.0, f, fill_mode="constant", interpolation="nearest")])
    """, r"shifts up or down \(empty rows\) should reach up to 4 pixels.*the largest was 0"),
    wrong("make_augmenter", "hard_coded_factor", """
        def make_augmenter(image_size=32, pad=4):
            return keras.Sequential([layers.RandomFlip("horizontal"),
                                     layers.RandomTranslation(0.125, 0.125, fill_mode="constant", interpolation="nearest")])
    """, r"image_size=\d+, pad=[2356]\).*should reach up to [2356] pixels"),  # the judge's second (size, pad): pad is never 4
    wrong("make_augmenter", "pad_and_random_crop", """
        def make_augmenter(image_size=32, pad=4):
            return keras.Sequential([layers.RandomFlip("horizontal"), layers.ZeroPadding2D(pad),
                                     layers.RandomCrop(image_size, image_size)])
    """, r"expected shape \(8, 32, 32, 3\), found \(8, 40, 40, 3\)"),
    # ---- more answers, written for the judge (coursekit/grading/judge/l04.py) --------------------
    correct("build_vgg16_bn", "sequential_subclass_cfg_list_tf_activations", """
        import tensorflow as tf

        class VGG16BN(keras.Sequential):
            \"\"\"The post's network, as a Sequential of its own.\"\"\"

        CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]

        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            model = VGG16BN(name="vgg16_bn")
            model.add(keras.Input(shape=input_shape))
            block, conv, bn = 1, 1, 0
            for item in CFG:
                if item == "M":
                    model.add(layers.MaxPool2D(pool_size=2, strides=2, padding="same", name=f"block{block}_pool"))
                    block, conv = block + 1, 1
                    continue
                bn += 1
                model.add(layers.Conv2D(item, kernel_size=3, padding="same", use_bias=True, name=f"block{block}_conv{conv}"))
                model.add(layers.BatchNormalization(momentum=0.9, name=f"bn{bn}"))
                model.add(layers.Activation(tf.nn.relu))
                conv += 1
            model.add(layers.Flatten(name="flatten"))
            model.add(layers.Dense(4096, activation=tf.nn.relu, name="fc1"))
            model.add(layers.Dense(4096, activation=keras.activations.relu, name="fc2"))
            model.add(layers.Dense(num_classes, activation=keras.activations.softmax, name="predictions", dtype="float32"))
            return model
    """),
    correct("build_vgg16_bn", "block_helper_returning_lists", """
        def conv_block(filters, n_convs, block, first_bn):
            out = []
            for i in range(n_convs):
                out += [keras.layers.Conv2D(filters, (3, 3), padding="SAME", name="block{}_conv{}".format(block, i + 1)),
                        keras.layers.BatchNormalization(axis=-1, name="bn{}".format(first_bn + i)),
                        keras.layers.ReLU()]
            out.append(keras.layers.MaxPooling2D((2, 2), strides=2, padding="same", name="block{}_pool".format(block)))
            return out

        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            plan = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]
            body, first = [], 1
            for block, (filters, n) in enumerate(plan, start=1):
                body += conv_block(filters, n, block, first)
                first += n
            head = [keras.layers.Flatten(name="flatten"),
                    keras.layers.Dense(4096, name="fc1", activation="relu"),
                    keras.layers.Dense(4096, name="fc2", activation="relu"),
                    keras.layers.Dense(num_classes, name="predictions", activation="softmax", dtype="float32")]
            return keras.Sequential([keras.Input(shape=input_shape), *body, *head], name="vgg16_bn")
    """),
    wrong("build_vgg16_bn", "relu6_capped_activations", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            k = 0
            for b, (f, n) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
                for c in range(1, n + 1):
                    k += 1
                    model.add(layers.Conv2D(f, 3, padding="same", name=f"block{b}_conv{c}"))
                    model.add(layers.BatchNormalization(name=f"bn{k}"))
                    model.add(layers.ReLU(max_value=6.0))   # ReLU6, "more stable"
                model.add(layers.MaxPooling2D(2, 2, padding="same", name=f"block{b}_pool"))
            model.add(layers.Flatten(name="flatten"))
            model.add(layers.Dense(4096, activation="relu", name="fc1"))
            model.add(layers.Dense(4096, activation="relu", name="fc2"))
            model.add(layers.Dense(num_classes, activation="softmax", name="predictions", dtype="float32"))
            return model
    """, r"the ReLU layers must be plain layers.ReLU\(\).*found \['re_lu"),
    wrong("build_vgg16_bn", "input_shape_argument_ignored", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            model = keras.Sequential(name="vgg16_bn")
            model.add(keras.Input(shape=(32, 32, 3)))   # CIFAR-10 images are always 32x32
            n = 0
            for block, convs in enumerate([[64] * 2, [128] * 2, [256] * 3, [512] * 3, [512] * 3], 1):
                for i, filters in enumerate(convs, 1):
                    n += 1
                    model.add(layers.Conv2D(filters, 3, padding="same", name=f"block{block}_conv{i}"))
                    model.add(layers.BatchNormalization(name=f"bn{n}"))
                    model.add(layers.Activation("relu"))
                model.add(layers.MaxPooling2D(2, strides=2, padding="same", name=f"block{block}_pool"))
            model.add(layers.Flatten(name="flatten"))
            model.add(layers.Dense(4096, activation="relu", name="fc1"))
            model.add(layers.Dense(4096, activation="relu", name="fc2"))
            model.add(layers.Dense(num_classes, activation="softmax", name="predictions", dtype="float32"))
            return model
    """, r"could not run on an input of shape \(None, (\d+), \1, 3\)"),
    wrong("build_vgg16_bn", "ten_classes_hard_coded", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            n = 0
            for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
                for i in range(convs):
                    n += 1
                    model.add(layers.Conv2D(filters, 3, padding="same", name=f"block{block}_conv{i + 1}"))
                    model.add(layers.BatchNormalization(name=f"bn{n}"))
                    model.add(layers.Activation("relu"))
                model.add(layers.MaxPooling2D(2, strides=2, padding="same", name=f"block{block}_pool"))
            model.add(layers.Flatten(name="flatten"))
            model.add(layers.Dense(4096, activation="relu", name="fc1"))
            model.add(layers.Dense(4096, activation="relu", name="fc2"))
            model.add(layers.Dense(10, activation="softmax", name="predictions", dtype="float32"))  # CIFAR-10
            return model
    """, r"'predictions'.*expected \d+ units, found 10"),
    wrong("build_vgg16_bn", "head_layer_created_once", """
        FC2 = layers.Dense(4096, activation="relu", name="fc2")

        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            n = 0
            for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
                for i in range(convs):
                    n += 1
                    model.add(layers.Conv2D(filters, 3, padding="same", name=f"block{block}_conv{i + 1}"))
                    model.add(layers.BatchNormalization(name=f"bn{n}"))
                    model.add(layers.Activation("relu"))
                model.add(layers.MaxPooling2D(2, strides=2, padding="same", name=f"block{block}_pool"))
            model.add(layers.Flatten(name="flatten"))
            model.add(layers.Dense(4096, activation="relu", name="fc1"))
            model.add(FC2)
            model.add(layers.Dense(num_classes, activation="softmax", name="predictions", dtype="float32"))
            return model
    """, r"must build a NEW model"),
    wrong("build_vgg16_bn", "hand_written_batchnorm_never_updates", """
        import tensorflow as tf

        class BatchNormalization(layers.Layer):
            def __init__(self, epsilon=1e-3, **kwargs):
                super().__init__(**kwargs)
                self.epsilon = epsilon

            def build(self, input_shape):
                c = input_shape[-1]
                self.gamma = self.add_weight(shape=(c,), initializer="ones", name="gamma")
                self.beta = self.add_weight(shape=(c,), initializer="zeros", name="beta")
                self.moving_mean = self.add_weight(shape=(c,), initializer="zeros", trainable=False, name="moving_mean")
                self.moving_variance = self.add_weight(shape=(c,), initializer="ones", trainable=False,
                                                       name="moving_variance")

            def call(self, x, training=None):
                if training:
                    mean, var = tf.nn.moments(x, axes=[0, 1, 2])
                else:
                    mean, var = self.moving_mean, self.moving_variance
                return self.gamma * (x - mean) / tf.sqrt(var + self.epsilon) + self.beta

        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            n = 0
            for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
                for i in range(convs):
                    n += 1
                    model.add(layers.Conv2D(filters, 3, padding="same", name=f"block{block}_conv{i + 1}"))
                    model.add(BatchNormalization(name=f"bn{n}"))
                    model.add(layers.Activation("relu"))
                model.add(layers.MaxPooling2D(2, strides=2, padding="same", name=f"block{block}_pool"))
            model.add(layers.Flatten(name="flatten"))
            model.add(layers.Dense(4096, activation="relu", name="fc1"))
            model.add(layers.Dense(4096, activation="relu", name="fc2"))
            model.add(layers.Dense(num_classes, activation="softmax", name="predictions", dtype="float32"))
            return model
    """, r"first BatchNormalization layer \('bn1'\) should update its moving mean"),
    correct("save_and_reload", "second_load_as_the_copy", """
        def save_and_reload(model, folder):
            keras_path = os.path.join(folder, "model.keras")
            weights_path = os.path.join(folder, "model.weights.h5")
            model.save(keras_path)
            model.save_weights(weights_path)
            reloaded = keras.models.load_model(keras_path)
            restored = keras.models.load_model(keras_path, compile=False)   # a second, independent copy
            restored.load_weights(weights_path)                             # ... with the weights file's values
            return reloaded, restored
    """),
    correct("save_and_reload", "weights_first_clone_function", """
        import pathlib

        def save_and_reload(model, folder):
            folder = pathlib.Path(folder)
            weights_file, model_file = folder / "model.weights.h5", folder / "model.keras"
            model.save_weights(str(weights_file))
            keras.saving.save_model(model, str(model_file))
            restored = keras.models.clone_model(model, clone_function=lambda layer: layer.__class__.from_config(layer.get_config()))
            restored.load_weights(str(weights_file))
            reloaded = keras.saving.load_model(str(model_file), compile=True)
            return reloaded, restored
    """),
    correct("save_and_reload", "weights_saved_from_the_reloaded_model", """
        def save_and_reload(model, folder):
            path = os.path.join(folder, "model.keras")
            model.save(path)
            reloaded = keras.models.load_model(path)
            reloaded.save_weights(os.path.join(folder, "model.weights.h5"))   # the same weights, read back
            restored = keras.models.clone_model(reloaded)
            restored.load_weights(os.path.join(folder, "model.weights.h5"))
            return reloaded, restored
    """),
    wrong("save_and_reload", "restored_copied_in_memory", """
        def save_and_reload(model, folder):
            model.save(os.path.join(folder, "model.keras"))
            model.save_weights(os.path.join(folder, "model.weights.h5"))
            reloaded = keras.models.load_model(os.path.join(folder, "model.keras"))
            restored = keras.models.clone_model(model)
            restored.set_weights(model.get_weights())   # same numbers as the weights file, and faster
            return reloaded, restored
    """, r"restored copy \(from model.weights.h5\).*copied in memory, not read from the file"),
    wrong("save_and_reload", "reloaded_rebuilt_in_memory_with_its_optimizer", """
        def save_and_reload(model, folder):
            model.save(os.path.join(folder, "model.keras"))
            model.save_weights(os.path.join(folder, "model.weights.h5"))
            reloaded = keras.models.clone_model(model)
            reloaded.set_weights(model.get_weights())
            reloaded.compile(optimizer=model.optimizer, loss=model.loss)   # keeps the optimizer's steps
            restored = keras.models.clone_model(model)
            restored.load_weights(os.path.join(folder, "model.weights.h5"))
            return reloaded, restored
    """, r"reloaded model \(from model.keras\).*copied in memory, not read from the file"),
    wrong("save_and_reload", "restored_is_another_load_of_the_keras_file", """
        def save_and_reload(model, folder):
            model.save(os.path.join(folder, "model.keras"))
            model.save_weights(os.path.join(folder, "model.weights.h5"))
            reloaded = keras.models.load_model(os.path.join(folder, "model.keras"))
            restored = keras.models.load_model(os.path.join(folder, "model.keras"))   # same architecture, same weights
            return reloaded, restored
    """, r"restored copy \(from model.weights.h5\).*read from your model.keras, not from model.weights.h5"),
    wrong("save_and_reload", "recompiled_with_a_fresh_optimizer", """
        def save_and_reload(model, folder):
            model.save(os.path.join(folder, "model.keras"))
            model.save_weights(os.path.join(folder, "model.weights.h5"))
            reloaded = keras.models.load_model(os.path.join(folder, "model.keras"), compile=False)
            reloaded.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="categorical_crossentropy")
            restored = keras.models.clone_model(model)
            restored.load_weights(os.path.join(folder, "model.weights.h5"))
            return reloaded, restored
    """, r"keep the optimizer state \(3 steps\), found 0 steps"),
    correct("make_augmenter", "sequential_subclass_tuple_factors", """
        class Augmenter(keras.Sequential):
            def __init__(self, image_size=32, pad=4, **kwargs):
                super().__init__(**kwargs)
                shift = pad / image_size
                self.add(keras.layers.RandomFlip(mode="horizontal"))
                self.add(keras.layers.RandomTranslation(height_factor=(-shift, shift), width_factor=(-shift, shift),
                                                        fill_mode="constant", interpolation="nearest", fill_value=0.0))

        def make_augmenter(image_size=32, pad=4):
            return Augmenter(image_size, pad, name="augmenter")
    """),
    correct("make_augmenter", "with_an_input_layer", """
        def make_augmenter(image_size=32, pad=4):
            factor = float(pad) / image_size
            return keras.Sequential(layers=[
                keras.Input(shape=(image_size, image_size, 3)),
                layers.RandomFlip("horizontal"),
                layers.RandomTranslation(factor, factor, fill_mode="constant", interpolation="nearest"),
            ], name="cifar_augmenter")
    """),
    wrong("make_augmenter", "width_factor_hard_coded", """
        def make_augmenter(image_size=32, pad=4):
            return keras.Sequential([
                layers.RandomFlip("horizontal"),
                layers.RandomTranslation(height_factor=pad / image_size, width_factor=0.125,
                                         fill_mode="constant", interpolation="nearest"),
            ])
    """, r"image_size=(?!32, pad=4\))\d+, pad=\d+\): shifts sideways \(empty columns\) should reach up to \d+ pixels"),
    wrong("make_augmenter", "pad_argument_ignored", """
        def make_augmenter(image_size=32, pad=4):
            f = 4 / image_size   # 4 pixels, as in the recipe
            return keras.Sequential([layers.RandomFlip("horizontal"),
                                     layers.RandomTranslation(f, f, fill_mode="constant", interpolation="nearest")])
    """, r"pad=[2356]\): shifts sideways \(empty columns\) should reach up to [2356] pixels.*the largest was 4"),
    wrong("make_augmenter", "gap_filled_with_grey", """
        def make_augmenter(image_size=32, pad=4):
            f = pad / image_size
            return keras.Sequential([
                layers.RandomFlip("horizontal"),
                layers.RandomTranslation(f, f, fill_mode="constant", fill_value=0.5, interpolation="nearest"),
            ])
    """, r"no pixel of the shifted images is 0: fill the gap a shift leaves with zeros"),
    wrong("make_augmenter", "one_shift_per_batch", """
        import tensorflow as tf

        class BatchShift(layers.Layer):
            def __init__(self, pad, **kwargs):
                super().__init__(**kwargs)
                self.pad = pad

            def call(self, images, training=None):
                if not training:
                    return images
                size = tf.shape(images)[1]
                dy, dx = tf.unstack(tf.random.uniform([2], -self.pad, self.pad + 1, dtype=tf.int32))
                padded = tf.pad(images, [[0, 0], [self.pad, self.pad], [self.pad, self.pad], [0, 0]])
                return padded[:, self.pad + dy:self.pad + dy + size, self.pad + dx:self.pad + dx + size, :]

        def make_augmenter(image_size=32, pad=4):
            return keras.Sequential([layers.RandomFlip("horizontal"), BatchShift(pad)])
    """, r"each image of a batch needs its own random shift"),
    wrong("make_augmenter", "flip_in_a_lambda_at_inference_too", """
        import tensorflow as tf

        def make_augmenter(image_size=32, pad=4):
            f = pad / image_size
            return keras.Sequential([
                layers.Lambda(lambda images: tf.image.random_flip_left_right(images)),
                layers.RandomTranslation(f, f, fill_mode="constant", interpolation="nearest"),
            ])
    """, r"at inference \(training=False\) the augmenter must return the images unchanged"),
]
