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
    """, r"conv_params\(\d+, \d+, \d+\) \{'bias': False\}: expected [\d,]+, found \d+ - with bias=False, leave the biases out"),
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
    """, r"flatten gives \d+\*\d+\*512 = \d+ values"),
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
    """, r"fc=\d+\), row 20: expected \('fc1', \(\d+,\)"),
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
    """, r"row 1: expected \('block1_conv1', \(\d+, \d+, 64\), \d+\).*input_shape\[2\]"),
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
    """, r"receptive_field\(\d+, \d+\): expected \d+, found \d+ - that is the answer for 3x3 kernels: use the kernel argument"),
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
    """, r"initial_loss\(\d+\): expected [\d.]+, found 2\.30.*use num_classes"),
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
    correct("build_plain_vgg16", "conv2d_subclass_with_a_relu_layer_activation", """
        class Conv3x3(layers.Conv2D):  # a Conv2D of one's own: one layer, though it holds its ReLU layer
            def __init__(self, filters, **kwargs):
                super().__init__(filters, 3, padding="same", activation=layers.ReLU(), **kwargs)


        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n_convs, mult in [(2, 1), (2, 2), (3, 4), (3, 8), (3, 8)]:
                for _ in range(n_convs):
                    model.add(Conv3x3(base * mult, kernel_initializer=kernel_initializer))
                model.add(layers.MaxPooling2D(2))
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
    """, r"by default build_plain_vgg16 must keep Keras' default initializer|must use it in all 13 Conv2D and 3 Dense layers; found HeNormal"),
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
    """, r"expected \d+ filters, found 64"),
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
    """, r"base=\d+\) does not have the expected layers; first difference: layer 1: expected \('Conv2D', \d+,.*found \('Conv2D', 64,"),
    # ---- more answers, written as other students would (issue: the judge, lesson 05) ---------------
    correct("param_counts", "loop_over_filters_and_units", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            total = 0
            for _ in range(out_ch):              # every filter: a kernel x kernel x in_ch block
                total += kernel * kernel * in_ch
                if bias:
                    total += 1
            return total

        def dense_params(n_in, n_out, bias=True):
            weights_per_unit = n_in + (1 if bias else 0)
            return weights_per_unit * n_out
    """),
    correct("param_counts", "int_subclass_with_readable_repr", """
        class ParamCount(int):
            def __repr__(self):
                return f"{int(self):,} parameters"

        def conv_params(kernel, in_ch, out_ch, bias=True):
            return ParamCount(out_ch * (kernel * kernel * in_ch + bool(bias)))

        def dense_params(n_in, n_out, bias=True):
            return ParamCount(n_out * (n_in + bool(bias)))
    """),
    wrong("param_counts", "three_by_three_assumed", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            # VGG only uses 3x3 windows
            return 9 * in_ch * out_ch + (out_ch if bias else 0)

        def dense_params(n_in, n_out, bias=True):
            return n_in * n_out + (n_out if bias else 0)
    """, r"conv_params\(\d+, \d+, \d+\) : expected [\d,]+, found \d+\.$"),
    wrong("param_counts", "bias_flag_only_in_conv", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            n = kernel * kernel * in_ch * out_ch
            return n + out_ch if bias else n

        def dense_params(n_in, n_out, bias=True):
            return n_in * n_out + n_out
    """, r"dense_params\(\d+, \d+\) \{'bias': False\}: expected [\d,]+, found \d+ - with bias=False, leave the biases out"),
    wrong("param_counts", "numpy_power_gives_floats", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            return np.power(kernel, 2.0) * in_ch * out_ch + (out_ch if bias else 0)

        def dense_params(n_in, n_out, bias=True):
            return np.multiply(n_in, n_out, dtype="float64") + (n_out if bias else 0)
    """, r"must return integers; found float64"),
    wrong("param_counts", "conv_bias_per_input_channel", """
        def conv_params(kernel, in_ch, out_ch, bias=True):
            return kernel * kernel * in_ch * out_ch + (in_ch if bias else 0)

        def dense_params(n_in, n_out, bias=True):
            return n_in * n_out + (n_out if bias else 0)
    """, r"conv_params\(3, 3, 64\) \(kernel, in_ch, out_ch\): expected 1,792, found 1731\."),
    correct("vgg16_param_table", "namedtuple_rows_numpy_shapes", """
        from collections import namedtuple

        Row = namedtuple("Row", ["name", "output_shape", "params"])

        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            size = np.array(input_shape[:2], dtype=np.int64)
            depth = int(input_shape[2])
            table = []
            for block, widths in enumerate([[64] * 2, [128] * 2, [256] * 3, [512] * 3, [512] * 3], start=1):
                for j, width in enumerate(widths, start=1):
                    table.append(Row(f"block{block}_conv{j}", np.append(size, width), (9 * depth + 1) * width))
                    depth = width
                size = size // 2
                table.append(Row(f"block{block}_pool", np.append(size, depth), 0))
            n = int(size.prod()) * depth
            table.append(Row("flatten", (n,), 0))
            for name, units in [("fc1", fc), ("fc2", fc), ("predictions", num_classes)]:
                table.append(Row(name, (units,), (n + 1) * units))
                n = units
            return table
    """),
    correct("vgg16_param_table", "while_loop_over_layer_names", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            names = ["block1_conv1", "block1_conv2", "block1_pool", "block2_conv1", "block2_conv2", "block2_pool",
                     "block3_conv1", "block3_conv2", "block3_conv3", "block3_pool",
                     "block4_conv1", "block4_conv2", "block4_conv3", "block4_pool",
                     "block5_conv1", "block5_conv2", "block5_conv3", "block5_pool"]
            filters = {1: 64, 2: 128, 3: 256, 4: 512, 5: 512}
            rows = []
            height, width, chans = input_shape
            i = 0
            while i < len(names):
                name = names[i]
                block = int(name[5])
                if name.endswith("pool"):
                    height, width = height // 2, width // 2
                    rows.append((name, (height, width, chans), 0))
                else:
                    out = filters[block]
                    rows.append((name, (height, width, out), out * chans * 3 * 3 + out))
                    chans = out
                i += 1
            flat = height * width * chans
            rows.append(("flatten", (flat,), 0))
            rows.append(("fc1", (fc,), flat * fc + fc))
            rows.append(("fc2", (fc,), fc * fc + fc))
            rows.append(("predictions", (num_classes,), fc * num_classes + num_classes))
            return rows
    """),
    wrong("vgg16_param_table", "square_images_assumed", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            side, channels = input_shape[0], input_shape[-1]
            rows = []
            for b, (n, f) in enumerate(((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)), 1):
                for i in range(1, n + 1):
                    rows.append((f"block{b}_conv{i}", (side, side, f), 9 * channels * f + f))
                    channels = f
                side //= 2
                rows.append((f"block{b}_pool", (side, side, channels), 0))
            flat = side * side * channels
            rows.append(("flatten", (flat,), 0))
            for name, units in (("fc1", fc), ("fc2", fc), ("predictions", num_classes)):
                rows.append((name, (units,), flat * units + units))
                flat = units
            return rows
    """, r"row 1: .* - height and width can differ"),
    wrong("vgg16_param_table", "fc2_fed_by_flatten", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            h, w, c = input_shape
            rows = []
            for b, (n, f) in enumerate(((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)), 1):
                for i in range(1, n + 1):
                    rows.append((f"block{b}_conv{i}", (h, w, f), 9 * c * f + f))
                    c = f
                h, w = h // 2, w // 2
                rows.append((f"block{b}_pool", (h, w, c), 0))
            flat = h * w * c
            rows.append(("flatten", (flat,), 0))
            rows.append(("fc1", (fc,), flat * fc + fc))
            rows.append(("fc2", (fc,), flat * fc + fc))
            rows.append(("predictions", (num_classes,), fc * num_classes + num_classes))
            return rows
    """, r"add up to 33,638,218; your table sums to 18,958,154"),
    wrong("vgg16_param_table", "predictions_counted_for_ten_classes", """
        def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
            h, w, c = input_shape
            rows = []
            for b, (n, f) in enumerate(((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)), 1):
                for i in range(1, n + 1):
                    rows.append((f"block{b}_conv{i}", (h, w, f), 9 * c * f + f))
                    c = f
                h, w = h // 2, w // 2
                rows.append((f"block{b}_pool", (h, w, c), 0))
            flat = h * w * c
            rows += [("flatten", (flat,), 0), ("fc1", (fc,), flat * fc + fc), ("fc2", (fc,), fc * fc + fc),
                     ("predictions", (num_classes,), fc * 10 + 10)]
            return rows
    """, r"VGG16 at \d+x\d+x3 with \d+ classes has [\d,]+ parameters; your table sums to"),
    correct("receptive_field", "sum_of_growth_and_namedtuple", """
        from collections import namedtuple

        Weights = namedtuple("Weights", "stacked single")

        def receptive_field(n_layers, kernel=3):
            return 1 + sum(kernel - 1 for _ in range(n_layers))

        def stacked_vs_single_params(n_layers, channels):
            per_layer = 3 ** 2 * channels ** 2
            side = receptive_field(n_layers, 3)
            return Weights(stacked=n_layers * per_layer, single=side ** 2 * channels ** 2)
    """),
    correct("receptive_field", "numpy_int64_from_arange", """
        def receptive_field(n_layers, kernel=3):
            growth = np.full(n_layers, kernel - 1, dtype=np.int64)
            return np.int64(1) + growth.sum()

        def stacked_vs_single_params(n_layers, channels):
            c2 = np.int64(channels) ** 2
            side = receptive_field(n_layers)
            return np.int64(n_layers) * 9 * c2, side * side * c2
    """),
    wrong("receptive_field", "first_layer_k_then_plus_two", """
        def receptive_field(n_layers, kernel=3):
            # the first layer sees kernel pixels, every further 3x3 layer two more
            return kernel + 2 * (n_layers - 1)

        def stacked_vs_single_params(n_layers, channels):
            side = receptive_field(n_layers)
            return n_layers * 9 * channels * channels, side * side * channels * channels
    """, r"receptive_field\(\d+, \d+\): expected \d+, found \d+"),
    wrong("receptive_field", "stacked_layers_counted_at_full_size", """
        def receptive_field(n_layers, kernel=3):
            return 1 + n_layers * (kernel - 1)

        def stacked_vs_single_params(n_layers, channels):
            side = receptive_field(n_layers)
            return n_layers * side * side * channels * channels, side * side * channels * channels
    """, r"stacked_vs_single_params\(2, 64\).*found \(204800, 102400\)"),
    wrong("receptive_field", "channels_not_squared", """
        def receptive_field(n_layers, kernel=3):
            return 1 + n_layers * (kernel - 1)

        def stacked_vs_single_params(n_layers, channels):
            side = receptive_field(n_layers)
            return n_layers * 9 * channels, side * side * channels
    """, r"stacked_vs_single_params\(2, 64\).*found \(1152, 1600\)"),
    correct("initial_loss", "minus_log_of_one_over_c", """
        import math

        def initial_loss(num_classes):
            uniform = 1.0 / num_classes
            return -math.log(uniform)
    """),
    correct("initial_loss", "numpy_float32_mean_of_uniform_rows", """
        def initial_loss(num_classes):
            probs = np.full((8, num_classes), 1.0 / num_classes)
            labels = np.arange(8) % num_classes
            return np.float32(np.mean(-np.log(probs[np.arange(8), labels])))
    """),
    wrong("initial_loss", "uniform_accuracy_not_loss", """
        def initial_loss(num_classes):
            return 1.0 / num_classes
    """, r"initial_loss\(10\): expected log\(10\) = 2\.302585\.\.\., found 0\.1\."),
    wrong("initial_loss", "rounded_like_the_post", """
        import math

        def initial_loss(num_classes):
            return round(math.log(num_classes), 4)
    """, r"found 2\.3026\."),
    wrong("initial_loss", "numpy_array_returned", """
        def initial_loss(num_classes):
            return -np.log(np.ones(1) / num_classes)
    """, r"initial_loss must return a float, found ndarray"),
    correct("build_plain_vgg16", "conv_subclass_with_the_vgg_defaults", """
        class VGGConv(layers.Conv2D):
            \"\"\"A 3x3 'same' ReLU convolution, the only kind VGG uses.\"\"\"
            def __init__(self, filters, **kwargs):
                super().__init__(filters, 3, padding="same", activation="relu", **kwargs)


        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            net = keras.Sequential([keras.Input(shape=input_shape)])
            for convs, mult in zip((2, 2, 3, 3, 3), (1, 2, 4, 8, 8)):
                for _ in range(convs):
                    net.add(VGGConv(base * mult, kernel_initializer=kernel_initializer))
                net.add(layers.MaxPooling2D(2))
            net.add(layers.Flatten())
            for units, act in ((fc, "relu"), (fc, "relu"), (num_classes, "softmax")):
                net.add(layers.Dense(units, activation=act, kernel_initializer=kernel_initializer))
            return net
    """),
    correct("build_plain_vgg16", "functional_tf_nn_activations", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            img = keras.Input(input_shape)
            h = img
            for widths in ([base] * 2, [2 * base] * 2, [4 * base] * 3, [8 * base] * 3, [8 * base] * 3):
                for w in widths:
                    h = layers.Conv2D(w, 3, padding="same", activation=tf.nn.relu,
                                      kernel_initializer=kernel_initializer)(h)
                h = layers.MaxPool2D(pool_size=2)(h)
            h = layers.Flatten()(h)
            for _ in range(2):
                h = layers.Dense(fc, activation=keras.activations.relu, kernel_initializer=kernel_initializer)(h)
            probs = layers.Dense(num_classes, activation=tf.nn.softmax, kernel_initializer=kernel_initializer)(h)
            return keras.Model(img, probs)
    """),
    correct("build_plain_vgg16", "sequential_subclass", """
        class PlainVGG16(keras.Sequential):
            def __init__(self, input_shape, num_classes, fc, base, kernel_initializer):
                super().__init__(name="plain_vgg16")
                self.add(keras.Input(shape=input_shape))
                for n, f in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                    for _ in range(n):
                        self.add(layers.Conv2D(f, 3, padding="same", activation="relu",
                                               kernel_initializer=kernel_initializer))
                    self.add(layers.MaxPooling2D(2))
                self.add(layers.Flatten())
                self.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
                self.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
                self.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer))


        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            return PlainVGG16(input_shape, num_classes, fc, base, kernel_initializer)
    """),
    wrong("build_plain_vgg16", "softmax_layer_added_after_softmax", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n, f in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n):
                    model.add(layers.Conv2D(f, 3, padding="same", activation="relu", kernel_initializer=kernel_initializer))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer))
            model.add(layers.Softmax())
            return model
    """, r"Your model has 23 layers, expected 22: layer 23 \(your '.*', a Softmax\) is extra"),
    wrong("build_plain_vgg16", "second_dense_without_relu", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            x = inputs = keras.Input(shape=input_shape)
            for n, f in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n):
                    x = layers.Conv2D(f, 3, padding="same", activation="relu", kernel_initializer=kernel_initializer)(x)
                x = layers.MaxPooling2D(2)(x)
            x = layers.Flatten()(x)
            x = layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer)(x)
            x = layers.Dense(fc, kernel_initializer=kernel_initializer)(x)
            return keras.Model(inputs, layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer)(x))
    """, r"Layer 21 .*expected activation 'relu', found 'linear'"),
    wrong("build_plain_vgg16", "fc_only_in_the_first_dense", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n, f in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n):
                    model.add(layers.Conv2D(f, 3, padding="same", activation="relu", kernel_initializer=kernel_initializer))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(4096, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer))
            return model
    """, r"Layer 21 .*expected \d+ units, found 4096"),
    wrong("build_plain_vgg16", "input_size_hardcoded", """
        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
            for n, f in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n):
                    model.add(layers.Conv2D(f, 3, padding="same", activation="relu", kernel_initializer=kernel_initializer))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer))
            return model
    """, r"could not run on an input of shape|expected output shape"),
    wrong("build_plain_vgg16", "conv_subclass_call_forgets_its_activation", """
        class Conv3x3(layers.Conv2D):
            def __init__(self, filters, **kwargs):
                super().__init__(filters, 3, padding="same", activation="relu", **kwargs)

            def call(self, x):
                # the convolution written out by hand
                return tf.nn.conv2d(x, self.kernel, strides=1, padding="SAME") + self.bias


        def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                              kernel_initializer="glorot_uniform"):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n, f in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n):
                    model.add(Conv3x3(f, kernel_initializer=kernel_initializer))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer))
            model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer))
            return model
    """, r"Conv3x3|output with the grader's weights on the grader's images differs from VGG16's .*check each layer's activation"),
    correct("build_vgg16_bn", "subclassed_model_keras_activations", """
        class VGG16BN(keras.Model):
            def __init__(self, num_classes, fc, base):
                super().__init__()
                self.blocks = []
                for n, f in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                    for _ in range(n):
                        self.blocks += [layers.Conv2D(f, 3, padding="same"), layers.BatchNormalization(),
                                        layers.Activation(keras.activations.relu)]
                    self.blocks.append(layers.MaxPooling2D(2))
                self.flat = layers.Flatten()
                self.fc1 = layers.Dense(fc, activation="relu")
                self.fc2 = layers.Dense(fc, activation="relu")
                self.out = layers.Dense(num_classes, activation=keras.activations.softmax)

            def call(self, x, training=False):
                for layer in self.blocks:
                    x = layer(x, training=training) if isinstance(layer, layers.BatchNormalization) else layer(x)
                return self.out(self.fc2(self.fc1(self.flat(x))))


        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = VGG16BN(num_classes, fc, base)
            model.build((None, *input_shape))
            return model
    """),
    correct("build_vgg16_bn", "sequential_blocks_tf_nn_softmax", """
        def conv_block(filters, n):
            block = keras.Sequential()
            for _ in range(n):
                block.add(layers.Conv2D(filters, kernel_size=(3, 3), padding="same"))
                block.add(layers.BatchNormalization(axis=-1))
                block.add(layers.Activation(tf.nn.relu))
            block.add(layers.MaxPooling2D(pool_size=(2, 2)))
            return block


        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            return keras.Sequential(
                [keras.Input(input_shape)]
                + [conv_block(m * base, n) for n, m in ((2, 1), (2, 2), (3, 4), (3, 8), (3, 8))]
                + [layers.Flatten(), layers.Dense(fc, activation="relu"), layers.Dense(fc, activation="relu"),
                   layers.Dense(num_classes, activation=tf.nn.softmax)])
    """),
    wrong("build_vgg16_bn", "batchnorm_always_in_training_mode", """
        class ConvBNReLU(layers.Layer):
            def __init__(self, filters, **kwargs):
                super().__init__(**kwargs)
                self.conv = layers.Conv2D(filters, 3, padding="same")
                self.bn = layers.BatchNormalization()
                self.relu = layers.ReLU()

            def call(self, x):
                return self.relu(self.bn(self.conv(x), training=True))   # so that BatchNorm normalises


        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n, f in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n):
                    model.add(ConvBNReLU(f))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """, r"BatchNormalization.*(moving|training=False)"),
    wrong("build_vgg16_bn", "fc_only_in_the_first_dense", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n, f in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n):
                    model.add(layers.Conv2D(f, 3, padding="same"))
                    model.add(layers.BatchNormalization())
                    model.add(layers.Activation("relu"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(4096, activation="relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """, r"does not have the expected layers; first difference: layer 47: expected \('Dense', \d+, .*found \('Dense', 4096,"),
    wrong("build_vgg16_bn", "three_channels_hardcoded", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = keras.Sequential([keras.Input(shape=(input_shape[0], input_shape[1], 3))])
            for n, f in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n):
                    model.add(layers.Conv2D(f, 3, padding="same"))
                    model.add(layers.BatchNormalization())
                    model.add(layers.Activation("relu"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.Flatten())
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """, r"could not run on an input of shape|expected .*found"),
    wrong("build_vgg16_bn", "global_average_pooling_for_flatten", """
        def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
            model = keras.Sequential([keras.Input(shape=input_shape)])
            for n, f in ((2, base), (2, 2 * base), (3, 4 * base), (3, 8 * base), (3, 8 * base)):
                for _ in range(n):
                    model.add(layers.Conv2D(f, 3, padding="same"))
                    model.add(layers.BatchNormalization())
                    model.add(layers.Activation("relu"))
                model.add(layers.MaxPooling2D(2))
            model.add(layers.GlobalAveragePooling2D())
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(fc, activation="relu"))
            model.add(layers.Dense(num_classes, activation="softmax"))
            return model
    """, r"layer 45: expected .*\('Flatten'.*found \('GlobalAveragePooling2D'"),
]
