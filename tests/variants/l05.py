"""Variants of lesson 05 (see tests/variants/__init__.py): VGGNet's arithmetic (parameter counts,
receptive fields, the loss of a uniform guess) and the post's VGG16, plain and with BatchNorm."""
from tests.variants import correct, wrong

VARIANTS = [
    # ---- conv_params / dense_params ------------------------------------------------------------
    correct("param_counts", "math_prod_conditional", """
        import math

        def conv_params(kernel, in_ch, out_ch, bias=True):
            weights = math.prod((kernel, kernel, in_ch, out_ch))
            return weights + out_ch if bias else weights

        def dense_params(n_in, n_out, bias=True):
            return math.prod([n_in, n_out]) + (n_out if bias else 0)
    """),
    correct("param_counts", "numpy_integers_bool_times_count", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            return np.prod([kernel, kernel, in_ch, out_ch]) + bias * out_ch

        def dense_params(n_in, n_out, bias=True):
            return np.int64(n_in) * n_out + int(bias) * n_out
    """),
    correct("param_counts", "per_filter_and_per_unit", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            per_filter = kernel ** 2 * in_ch      # one k x k x c_in block per filter
            if bias:
                per_filter += 1
            return per_filter * out_ch

        def dense_params(n_in, n_out, bias=True):
            return (n_in + int(bias)) * n_out     # each unit: n_in weights and maybe a bias
    """),
    correct("param_counts", "keras_conv_layer_counts", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            conv = layers.Conv2D(out_ch, kernel, use_bias=bias)
            conv.build((None, None, None, in_ch))
            return conv.count_params()

        def dense_params(n_in, n_out, bias=True):
            total = n_in * n_out
            if bias:
                total = total + n_out
            return total
    """),
    wrong("param_counts", "biases_forgotten", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            return kernel * kernel * in_ch * out_ch

        def dense_params(n_in, n_out, bias=True):
            return n_in * n_out
    """, r"found 1728 - that is the weights alone: add the biases"),
    wrong("param_counts", "bias_flag_ignored", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            return kernel * kernel * in_ch * out_ch + out_ch

        def dense_params(n_in, n_out, bias=True):
            return n_in * n_out + n_out
    """, r"\{'bias': False\}: expected 1,925, found 1936 - with bias=False, leave the biases out"),
    wrong("param_counts", "one_bias_per_layer", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            return kernel * kernel * in_ch * out_ch + (1 if bias else 0)

        def dense_params(n_in, n_out, bias=True):
            return n_in * n_out + (1 if bias else 0)
    """, r"one bias per filter"),
    wrong("param_counts", "kernel_not_squared", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            return kernel * in_ch * out_ch + (out_ch if bias else 0)

        def dense_params(n_in, n_out, bias=True):
            return n_in * n_out + (n_out if bias else 0)
    """, r"found 640 - a kernel x kernel window holds kernel\*kernel\*in_ch weights"),
    wrong("param_counts", "dense_bias_per_input", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            return kernel * kernel * in_ch * out_ch + (out_ch if bias else 0)

        def dense_params(n_in, n_out, bias=True):
            return n_in * n_out + (n_in if bias else 0)
    """, r"one bias per unit"),
    wrong("param_counts", "floats_from_math_pow", """
        import math

        def conv_params(kernel, in_ch, out_ch, bias=True):
            return math.pow(kernel, 2) * in_ch * out_ch + (out_ch if bias else 0)

        def dense_params(n_in, n_out, bias=True):
            return n_in * n_out + (n_out if bias else 0)
    """, r"must return integers; found float"),
    # ---- vgg16_param_table ---------------------------------------------------------------------
    correct("vgg16_param_table", "cfg_list_with_M", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
            h, w, c = input_shape
            rows, block, conv = [], 1, 1
            for v in cfg:
                if v == "M":
                    h, w = h // 2, w // 2
                    rows.append((f"block{block}_pool", (h, w, c), 0))
                    block, conv = block + 1, 1
                else:
                    rows.append((f"block{block}_conv{conv}", (h, w, v), 3 * 3 * c * v + v))
                    c, conv = v, conv + 1
            flat = h * w * c
            rows.append(("flatten", (flat,), 0))
            rows.append(("fc1", (fc,), flat * fc + fc))
            rows.append(("fc2", (fc,), fc * fc + fc))
            rows.append(("predictions", (num_classes,), fc * num_classes + num_classes))
            return rows
    """),
    correct("vgg16_param_table", "lists_and_numpy_values", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            table = []
            size = np.array(input_shape[:2])
            channels = input_shape[2]
            for b, (n, f) in enumerate(zip([2, 2, 3, 3, 3], [64, 128, 256, 512, 512])):
                for i in range(n):
                    table.append([f"block{b + 1}_conv{i + 1}", [*size, f], np.int64(9 * channels * f + f)])
                    channels = f
                size = size // 2
                table.append([f"block{b + 1}_pool", [*size, channels], 0])
            n_in = int(np.prod(size)) * channels
            table.append(["flatten", [n_in], 0])
            for name, units in zip(["fc1", "fc2", "predictions"], [fc, fc, num_classes]):
                table.append([name, [units], (n_in + 1) * units])
                n_in = units
            return table
    """),
    correct("vgg16_param_table", "generator_floor_of_true_division", """
        import math

        def _rows(input_shape, num_classes, fc):
            height, width, depth = input_shape
            blocks = {1: (2, 64), 2: (2, 128), 3: (3, 256), 4: (3, 512), 5: (3, 512)}
            for block, (count, filters) in blocks.items():
                for k in range(count):
                    yield f"block{block}_conv{k + 1}", (height, width, filters), (3 * 3 * depth + 1) * filters
                    depth = filters
                height, width = math.floor(height / 2), math.floor(width / 2)
                yield f"block{block}_pool", (height, width, depth), 0
            flat = height * width * depth
            yield "flatten", (flat,), 0
            yield "fc1", (fc,), flat * fc + fc
            yield "fc2", (fc,), fc * fc + fc
            yield "predictions", (num_classes,), fc * num_classes + num_classes

        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            return tuple(_rows(input_shape, num_classes, fc))
    """),
    correct("vgg16_param_table", "helper_functions_keywords", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            def conv_row(name, h, w, c_in, c_out):
                return (name, (h, w, c_out), 3 * 3 * c_in * c_out + c_out)

            def dense_row(name, n_in, n_out):
                return (name, (n_out,), n_in * n_out + n_out)

            h, w, c = input_shape[0], input_shape[1], input_shape[-1]
            out = []
            for block, filters in enumerate([64, 128, 256, 512, 512], start=1):
                for i in range(1, (2 if block <= 2 else 3) + 1):
                    out.append(conv_row(f"block{block}_conv{i}", h, w, c, filters))
                    c = filters
                h //= 2
                w //= 2
                out.append((f"block{block}_pool", (h, w, c), 0))
            out.append(("flatten", (h * w * c,), 0))
            out += [dense_row("fc1", h * w * c, fc), dense_row("fc2", fc, fc),
                    dense_row("predictions", fc, num_classes)]
            return out
    """),
    wrong("vgg16_param_table", "pooling_rounds_up", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            h, w, c = input_shape
            rows = []
            for b, (n, f) in enumerate(((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)), 1):
                for i in range(1, n + 1):
                    rows.append((f"block{b}_conv{i}", (h, w, f), 9 * c * f + f))
                    c = f
                h, w = -(-h // 2), -(-w // 2)
                rows.append((f"block{b}_pool", (h, w, c), 0))
            n_in = h * w * c
            rows.append(("flatten", (n_in,), 0))
            for name, units in (("fc1", fc), ("fc2", fc), ("predictions", num_classes)):
                rows.append((name, (units,), n_in * units + units))
                n_in = units
            return rows
    """, r"rounding down"),
    wrong("vgg16_param_table", "flatten_hardcoded_512", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            h, w, c = input_shape
            rows = []
            for b, (n, f) in enumerate(((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)), 1):
                for i in range(1, n + 1):
                    rows.append((f"block{b}_conv{i}", (h, w, f), 9 * c * f + f))
                    c = f
                h, w = h // 2, w // 2
                rows.append((f"block{b}_pool", (h, w, c), 0))
            rows.append(("flatten", (512,), 0))
            rows.append(("fc1", (fc,), 512 * fc + fc))
            rows.append(("fc2", (fc,), fc * fc + fc))
            rows.append(("predictions", (num_classes,), fc * num_classes + num_classes))
            return rows
    """, r"flatten gives 7\*7\*512 = 25088"),
    wrong("vgg16_param_table", "conv_biases_forgotten", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            h, w, c = input_shape
            rows = []
            for b, (n, f) in enumerate(((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)), 1):
                for i in range(1, n + 1):
                    rows.append((f"block{b}_conv{i}", (h, w, f), 9 * c * f))
                    c = f
                h, w = h // 2, w // 2
                rows.append((f"block{b}_pool", (h, w, c), 0))
            n_in = h * w * c
            rows.append(("flatten", (n_in,), 0))
            for name, units in (("fc1", fc), ("fc2", fc), ("predictions", num_classes)):
                rows.append((name, (units,), n_in * units + units))
                n_in = units
            return rows
    """, r"row 1: expected .*1792.*found .*1728.*biases"),
    wrong("vgg16_param_table", "head_width_hardcoded_4096", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            h, w, c = input_shape
            rows = []
            for b, (n, f) in enumerate(((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)), 1):
                for i in range(1, n + 1):
                    rows.append((f"block{b}_conv{i}", (h, w, f), 9 * c * f + f))
                    c = f
                h, w = h // 2, w // 2
                rows.append((f"block{b}_pool", (h, w, c), 0))
            n_in = h * w * c
            rows.append(("flatten", (n_in,), 0))
            for name, units in (("fc1", 4096), ("fc2", 4096), ("predictions", num_classes)):
                rows.append((name, (units,), n_in * units + units))
                n_in = units
            return rows
    """, r"fc=512\), row 20: expected \('fc1', \(512,\)"),
    wrong("vgg16_param_table", "three_input_channels_hardcoded", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            h, w = input_shape[:2]
            c = 3
            rows = []
            for b, (n, f) in enumerate(((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)), 1):
                for i in range(1, n + 1):
                    rows.append((f"block{b}_conv{i}", (h, w, f), 9 * c * f + f))
                    c = f
                h, w = h // 2, w // 2
                rows.append((f"block{b}_pool", (h, w, c), 0))
            n_in = h * w * c
            rows.append(("flatten", (n_in,), 0))
            for name, units in (("fc1", fc), ("fc2", fc), ("predictions", num_classes)):
                rows.append((name, (units,), n_in * units + units))
                n_in = units
            return rows
    """, r"\(64, 48, 1\).*row 1: expected \('block1_conv1', \(64, 48, 64\), 640\).*input_shape\[2\]"),
    wrong("vgg16_param_table", "pool_rows_left_out", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            h, w, c = input_shape
            rows = []
            for b, (n, f) in enumerate(((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)), 1):
                for i in range(1, n + 1):
                    rows.append((f"block{b}_conv{i}", (h, w, f), 9 * c * f + f))
                    c = f
                h, w = h // 2, w // 2
            n_in = h * w * c
            rows.append(("flatten", (n_in,), 0))
            for name, units in (("fc1", fc), ("fc2", fc), ("predictions", num_classes)):
                rows.append((name, (units,), n_in * units + units))
                n_in = units
            return rows
    """, r"22 rows; found 17"),
    # ---- receptive_field / stacked_vs_single_params --------------------------------------------
    correct("receptive_field", "loop", """
        def receptive_field(n_layers, kernel=3):
            rf = 1
            for _ in range(n_layers):
                rf += kernel - 1      # each layer widens the patch by kernel - 1
            return rf

        def stacked_vs_single_params(n_layers, channels):
            stacked = 0
            for _ in range(n_layers):
                stacked += 3 * 3 * channels * channels
            side = receptive_field(n_layers)
            return (stacked, side * side * channels * channels)
    """),
    correct("receptive_field", "n_times_k_minus_overlaps", """
        def receptive_field(n_layers, kernel=3):
            return n_layers * kernel - (n_layers - 1)

        def stacked_vs_single_params(n_layers, channels):
            return n_layers * 9 * channels ** 2, receptive_field(n_layers) ** 2 * channels ** 2
    """),
    correct("receptive_field", "recursion_and_list", """
        def receptive_field(n_layers, kernel=3):
            if n_layers == 0:
                return 1
            return receptive_field(n_layers - 1, kernel) + kernel - 1

        def stacked_vs_single_params(n_layers, channels):
            big = 2 * n_layers + 1
            return [n_layers * (3 * 3 * channels * channels), big * big * channels * channels]
    """),
    correct("receptive_field", "numpy", """
        def receptive_field(n_layers, kernel=3):
            return int(1 + np.sum(np.full(n_layers, kernel - 1)))

        def stacked_vs_single_params(n_layers, channels):
            kernels = np.array([3] * n_layers + [receptive_field(n_layers)])
            weights = kernels ** 2 * channels * channels
            return np.array([weights[:-1].sum(), weights[-1]])
    """),
    wrong("receptive_field", "plus_one_forgotten", """
        def receptive_field(n_layers, kernel=3):
            return n_layers * (kernel - 1)

        def stacked_vs_single_params(n_layers, channels):
            side = 2 * n_layers + 1
            return n_layers * 9 * channels * channels, side * side * channels * channels
    """, r"receptive_field\(1\).*expected 3, found 2.*off by one"),
    wrong("receptive_field", "kernels_add_up", """
        def receptive_field(n_layers, kernel=3):
            return n_layers * kernel

        def stacked_vs_single_params(n_layers, channels):
            side = 2 * n_layers + 1
            return n_layers * 9 * channels * channels, side * side * channels * channels
    """, r"receptive_field\(2\).*expected 5, found 6.*off by one"),
    wrong("receptive_field", "kernel_argument_ignored", """
        def receptive_field(n_layers, kernel=3):
            return 2 * n_layers + 1

        def stacked_vs_single_params(n_layers, channels):
            side = 2 * n_layers + 1
            return n_layers * 9 * channels * channels, side * side * channels * channels
    """, r"receptive_field\(2, 5\): expected 9, found 5 - that is the answer for 3x3 kernels: use the kernel argument"),
    wrong("receptive_field", "biases_counted", """
        def receptive_field(n_layers, kernel=3):
            return 1 + n_layers * (kernel - 1)

        def stacked_vs_single_params(n_layers, channels):
            side = receptive_field(n_layers)
            return (n_layers * (9 * channels * channels + channels),
                    side * side * channels * channels + channels)
    """, r"stacked_vs_single_params\(2, 64\).*found \(73856, 102464\).*no biases"),
    wrong("receptive_field", "single_always_7x7", """
        def receptive_field(n_layers, kernel=3):
            return 1 + n_layers * (kernel - 1)

        def stacked_vs_single_params(n_layers, channels):
            return n_layers * 9 * channels * channels, 7 * 7 * channels * channels
    """, r"one 5x5 layer 25\*64\*64 = 102,400"),
    # ---- initial_loss --------------------------------------------------------------------------
    correct("initial_loss", "math_log", """
        import math

        def initial_loss(num_classes):
            return math.log(num_classes)
    """),
    correct("initial_loss", "minus_log_of_uniform_probability_numpy", """
        def initial_loss(num_classes):
            p = 1 / num_classes
            return -np.log(p)
    """),
    correct("initial_loss", "entropy_sum_pure_python", """
        from math import log

        def initial_loss(num_classes):
            probs = [1.0 / num_classes] * num_classes
            return -sum(p * log(p) for p in probs)
    """),
    correct("initial_loss", "tensorflow_float64", """
        def initial_loss(num_classes):
            return float(tf.math.log(tf.constant(num_classes, dtype=tf.float64)))
    """),
    correct("initial_loss", "keras_crossentropy_of_a_uniform_prediction", """
        def initial_loss(num_classes):
            uniform = np.full((1, num_classes), 1.0 / num_classes, dtype="float32")
            return float(keras.losses.sparse_categorical_crossentropy(np.array([0]), uniform)[0])
    """),
    wrong("initial_loss", "log10", """
        def initial_loss(num_classes):
            return float(np.log10(num_classes))
    """, r"found 1\.0.*natural log"),
    wrong("initial_loss", "log2", """
        import math

        def initial_loss(num_classes):
            return math.log2(num_classes)
    """, r"found 3\.32.*natural log"),
    wrong("initial_loss", "sign_flipped", """
        def initial_loss(num_classes):
            return float(np.log(1 / num_classes))
    """, r"found -2\.30.*sign"),
    wrong("initial_loss", "hardcoded_ten_classes", """
        import math

        def initial_loss(num_classes):
            return math.log(10)
    """, r"initial_loss\(2\): expected 0\.693147, found 2\.30.*use num_classes"),
    wrong("initial_loss", "tensor_returned", """
        def initial_loss(num_classes):
            return tf.math.log(float(num_classes))
    """, r"must return a float.*Tensor"),
    # ---- build_plain_vgg16 ---------------------------------------------------------------------
    correct("build_plain_vgg16", "nested_sequential_blocks", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            def block(n_convs, filters):
                convs = [layers.Conv2D(filters, 3, padding="same", activation="relu",
                                       kernel_initializer=kernel_initializer) for _ in range(n_convs)]
                return keras.Sequential(convs + [layers.MaxPooling2D(2)])

            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, mult in [(2, 1), (2, 2), (3, 4), (3, 8), (3, 8)]:
                model.add(block(n_convs, base * mult))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer))
            return model
    """),
    correct("build_plain_vgg16", "functional_keywords", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for i, n in enumerate((2, 2, 3, 3, 3)):
                for _ in range(n):
                    x = layers.Conv2D(filters=base * min(2 ** i, 8), kernel_size=(3, 3), strides=(1, 1),
                                      padding="same", activation="relu",
                                      kernel_initializer=kernel_initializer)(x)
                x = layers.MaxPool2D(pool_size=(2, 2), strides=(2, 2))(x)
            x = layers.Flatten()(x)
            x = layers.Dense(units=fc, activation="relu", kernel_initializer=kernel_initializer)(x)
            x = layers.Dense(units=fc, activation="relu", kernel_initializer=kernel_initializer)(x)
            outputs = layers.Dense(units=num_classes, activation="softmax",
                                   kernel_initializer=kernel_initializer)(x)
            return keras.Model(inputs, outputs, name="vgg16")
    """),
    correct("build_plain_vgg16", "layer_subclass_blocks", """
        class VGGBlock(layers.Layer):
            def __init__(self, n_convs, filters, kernel_initializer="glorot_uniform", **kwargs):
                super().__init__(**kwargs)
                self.convs = [layers.Conv2D(filters, 3, padding="same", activation="relu",
                                            kernel_initializer=kernel_initializer) for _ in range(n_convs)]
                self.pool = layers.MaxPooling2D(2)

            def call(self, x):
                for conv in self.convs:
                    x = conv(x)
                return self.pool(x)


        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            init = dict(kernel_initializer=kernel_initializer)
            return keras.Sequential([
                keras.Input(shape=input_shape),
                VGGBlock(2, base, **init), VGGBlock(2, 2 * base, **init), VGGBlock(3, 4 * base, **init),
                VGGBlock(3, 8 * base, **init), VGGBlock(3, 8 * base, **init),
                layers.Flatten(),
                layers.Dense(fc, activation="relu", **init),
                layers.Dense(fc, activation="relu", **init),
                layers.Dense(num_classes, activation="softmax", **init),
            ])
    """),
    correct("build_plain_vgg16", "layer_list_common_kwargs_build", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            conv = dict(kernel_size=3, padding="same", activation="relu", kernel_initializer=kernel_initializer)
            stack = []
            for n_convs, filters in zip([2, 2, 3, 3, 3], [base, base * 2, base * 4, base * 8, base * 8]):
                stack += [layers.Conv2D(filters, **conv) for _ in range(n_convs)]
                stack.append(layers.MaxPooling2D(pool_size=2))
            stack += [layers.Flatten(),
                      layers.Dense(fc, "relu", kernel_initializer=kernel_initializer),
                      layers.Dense(fc, "relu", kernel_initializer=kernel_initializer),
                      layers.Dense(num_classes, "softmax", kernel_initializer=kernel_initializer)]
            model = keras.Sequential(stack)
            model.build((None, *input_shape))
            return model
    """),
    correct("build_plain_vgg16", "keras2_style_input_shape_on_first_layer", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential()
            model.add(layers.Conv2D(base, (3, 3), padding="same", activation=keras.activations.relu,
                                    kernel_initializer=kernel_initializer, input_shape=input_shape))
            first = True
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs - 1 if first else n_convs):
                    model.add(layers.Conv2D(filters, (3, 3), padding="same", activation=keras.activations.relu,
                                            kernel_initializer=kernel_initializer))
                first = False
                model.add(layers.MaxPooling2D((2, 2)))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer))
            return model
    """),
    wrong("build_plain_vgg16", "padding_forgotten", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, activation="relu", kernel_initializer=kernel_initializer))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer))
            return model
    """, r"padding='valid'.*use padding='same'"),
    wrong("build_plain_vgg16", "initializer_only_in_convolutions", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, padding="same", activation="relu",
                                            kernel_initializer=kernel_initializer))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """, r"must use it in all 13 Conv2D and 3 Dense layers"),
    wrong("build_plain_vgg16", "he_normal_hardcoded", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, padding="same", activation="relu",
                                            kernel_initializer="he_normal"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer="he_normal"))
            model.add(layers.Dense(fc, activation="relu", kernel_initializer="he_normal"))
            model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer="he_normal"))
            return model
    """, r"by default build_plain_vgg16 must keep Keras' default initializer"),
    wrong("build_plain_vgg16", "dropout_in_the_head", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, padding="same", activation="relu",
                                            kernel_initializer=kernel_initializer))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dropout(0.5))
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dropout(0.5))
            model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer))
            return model
    """, r"expected a Dense, found a Dropout"),
    wrong("build_plain_vgg16", "no_softmax", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, padding="same", activation="relu",
                                            kernel_initializer=kernel_initializer))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(num_classes, kernel_initializer=kernel_initializer))
            return model
    """, r"expected activation 'softmax', found 'linear'"),
    wrong("build_plain_vgg16", "base_ignored", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, padding="same", activation="relu",
                                            kernel_initializer=kernel_initializer))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer))
            return model
    """, r"expected 8 filters, found 64"),
    wrong("build_plain_vgg16", "last_block_1024_filters", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for i, n_convs in enumerate((2, 2, 3, 3, 3)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(base * 2 ** i, 3, padding="same", activation="relu",
                                            kernel_initializer=kernel_initializer))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer))
            return model
    """, r"expected 512 filters, found 1024"),
    # ---- build_vgg16_bn ------------------------------------------------------------------------
    correct("build_vgg16_bn", "nested_sequential_blocks_relu_layer", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            def conv_bn_relu(filters):
                return [layers.Conv2D(filters, 3, padding="same"), layers.BatchNormalization(), layers.ReLU()]

            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, mult in [(2, 1), (2, 2), (3, 4), (3, 8), (3, 8)]:
                block = []
                for _ in range(n_convs):
                    block += conv_bn_relu(base * mult)
                model.add(keras.Sequential(block + [layers.MaxPooling2D(2)]))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """),
    correct("build_vgg16_bn", "functional_one_shared_relu", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            relu = layers.ReLU()     # no weights: one object can serve every block
            inputs = keras.Input(input_shape)
            x = inputs
            for n_convs, filters in ((2, base), (2, base * 2), (3, base * 4), (3, base * 8), (3, base * 8)):
                for _ in range(n_convs):
                    x = layers.Conv2D(filters, (3, 3), padding="same", activation=None)(x)
                    x = layers.BatchNormalization()(x)
                    x = relu(x)
                x = layers.MaxPooling2D((2, 2))(x)
            x = layers.Flatten()(x)
            x = layers.Dense(fc, activation="relu")(x)
            x = layers.Dense(fc, activation="relu")(x)
            return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x))
    """),
    correct("build_vgg16_bn", "layer_subclass_conv_bn_relu", """
        class ConvBNReLU(layers.Layer):
            def __init__(self, filters, **kwargs):
                super().__init__(**kwargs)
                self.conv = layers.Conv2D(filters, 3, padding="same")
                self.bn = layers.BatchNormalization()
                self.act = layers.Activation("relu")

            def call(self, x, training=None):
                return self.act(self.bn(self.conv(x), training=training))


        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = keras.Sequential([layers.Input(shape=input_shape)])
            for n_convs, filters in zip([2, 2, 3, 3, 3], [base, 2 * base, 4 * base, 8 * base, 8 * base]):
                for _ in range(n_convs):
                    model.add(ConvBNReLU(filters))
                model.add(layers.MaxPool2D())
            model.add(layers.Flatten())
            for units in (fc, fc):
                model.add(layers.Dense(units, activation="relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """),
    correct("build_vgg16_bn", "linear_conv_tf_relu_activation_keywords", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            stack = [keras.Input(shape=input_shape)]
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs):
                    stack += [layers.Conv2D(filters=filters, kernel_size=3, padding="same", activation="linear"),
                              layers.BatchNormalization(momentum=0.99, epsilon=0.001),
                              layers.Activation(tf.nn.relu)]
                stack.append(layers.MaxPooling2D(pool_size=2, strides=2))
            stack += [layers.Flatten(), layers.Dense(units=fc, activation="relu"),
                      layers.Dense(units=fc, activation="relu"), layers.Dense(units=num_classes, activation="softmax")]
            return keras.Sequential(stack, name="vgg16_bn")
    """),
    wrong("build_vgg16_bn", "batchnorm_after_relu", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
                    model.add(layers.BatchNormalization())
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """, r"layer 1: expected .*'linear'.*found .*'relu'.*no activation"),
    wrong("build_vgg16_bn", "relu_kept_in_conv", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
                    model.add(layers.BatchNormalization())
                    model.add(layers.ReLU())
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """, r"layer 1: expected .*'linear'.*found .*'relu'.*no activation"),
    wrong("build_vgg16_bn", "relu_before_batchnorm", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, padding="same"))
                    model.add(layers.ReLU())
                    model.add(layers.BatchNormalization())
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """, r"layer 2: expected .* = \('BatchNormalization'.*found \('ReLU'"),
    wrong("build_vgg16_bn", "one_batchnorm_shared_per_block", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            inputs = keras.Input(shape=input_shape)
            x = inputs
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                bn = layers.BatchNormalization()
                for _ in range(n_convs):
                    x = layers.Activation("relu")(bn(layers.Conv2D(filters, 3, padding="same")(x)))
                x = layers.MaxPooling2D(2)(x)
            x = layers.Flatten()(x)
            x = layers.Dense(fc, activation="relu")(x)
            x = layers.Dense(fc, activation="relu")(x)
            return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x))
    """, r"13 BatchNormalization layers.*found 5"),
    wrong("build_vgg16_bn", "conv_without_bias", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, padding="same", use_bias=False))
                    model.add(layers.BatchNormalization())
                    model.add(layers.Activation("relu"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """, r"use_bias=False"),
    wrong("build_vgg16_bn", "batchnorm_in_the_head", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, padding="same"))
                    model.add(layers.BatchNormalization())
                    model.add(layers.Activation("relu"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            for _ in range(2):
                model.add(layers.Dense(fc))
                model.add(layers.BatchNormalization())
                model.add(layers.Activation("relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """, r"layer 46: expected .* = \('Dense', 4096.*'relu'\), found \('Dense', 4096.*'linear'\).*no BatchNormalization there"),
    wrong("build_vgg16_bn", "he_normal_hardcoded", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, padding="same", kernel_initializer="he_normal"))
                    model.add(layers.BatchNormalization())
                    model.add(layers.Activation("relu"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer="he_normal"))
            model.add(layers.Dense(fc, activation="relu", kernel_initializer="he_normal"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """, r"initializers stay at their defaults.*glorot_uniform.*HeNormal"),
    wrong("build_vgg16_bn", "base_ignored", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, filters in ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)):
                for _ in range(n_convs):
                    model.add(layers.Conv2D(filters, 3, padding="same"))
                    model.add(layers.BatchNormalization())
                    model.add(layers.Activation("relu"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """, r"base=4\) does not have the expected layers; first difference: layer 1: expected \('Conv2D', 4,.*found \('Conv2D', 64,"),
]
