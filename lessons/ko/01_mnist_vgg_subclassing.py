# %% [markdown] cell=md-01 en=88a7610e7b
# # 레슨 01 - MNIST로 학습하는 축소 VGG-16: 모델 서브클래싱과 `tf.GradientTape`
#
# *글 "VGG-16 모델로 합성곱 신경망 구현 하기 - 심화버젼"을 재현합니다. 이 글은 Keras 서브클래싱(subclassing)
# API와 직접 작성한 훈련 루프로 축소한 VGG-16을 MNIST에 학습시키는 TODO 노트북입니다. 글은 **5 에폭(epoch)
# 후 테스트 정확도 98.73 %**를 출력합니다(이 숫자가 실제로 무엇인지는 7절에서 밝힙니다).*
#
# VGG-16(옥스퍼드 대학교의 Visual Geometry Group이 개발, ILSVRC 2014 준우승)이 인기 있는 이유는 *간편함*
# 때문입니다. 3x3 합성곱을 여러 개 쌓고, 각 묶음의 끝에는 높이와 너비를 절반으로 줄이는 2x2 최대 풀링(max
# pooling)을 두며, 그동안 채널 수는 늘어납니다. 여기서는 이 방식을 그대로 따르되 블록을 두 개만 두어, GPU에서
# MNIST 학습이 1분 정도면 끝나게 합니다.
#
# **이 레슨에서 할 일:** `tf.newaxis`로 채널 축을 추가합니다. 섞고(shuffle) 배치(batch)로 묶는 `tf.data`
# 파이프라인을 만듭니다. VGG 스타일의 `MyModel(keras.Model)`을 작성합니다. `tf.GradientTape`를 써서
# `@tf.function`으로 `train_step`/`test_step`을 작성합니다. 에폭 루프를 작성하고, 그 안에 있던 원래 글의
# 버그를 고칩니다.
#
# **진행 방법:** 먼저 작업량(Workload) 셀과 설정 셀을 실행하세요(Colab에서는 *런타임 > 런타임 유형 변경 >
# GPU*). `# TODO`가 표시된 셀을 모두 채우고(`raise NotImplementedError()` 줄은 지우세요) 바로 아래의 검사
# 셀을 실행하세요. 보이는 검사는 점수의 일부일 뿐입니다. 숨겨진 테스트가 다른 입력으로 여러분의 코드를
# 시험합니다. 다 마쳤으면 맨 끝의 *제출할 준비가 되었나요?* 셀의 안내를 따르세요(제출 전 마지막 실행은
# fast 모드여도 됩니다).
#
# **시간과 작업량.** *full* 모드는 글처럼 학습합니다: 이미지 60,000개 전체로 5 에폭입니다. 학습 시간은
# Colab T4 GPU에서 약 1분(추정), 2코어 CPU에서 약 5분(측정: 에폭당 약 50초)이므로, GPU가 없어도 full 모드를
# 실행해 볼 만합니다. 규모를 가늠해 보면, 데이터센터용 GPU(NVIDIA H200)에서 이 모델의 훈련 스텝 한 에폭(배치
# 32, float32)은 Keras 3의 JAX 백엔드(모든 스텝을 XLA로 컴파일)로 3.6초, PyTorch 백엔드(즉시 실행(eager),
# 컴파일하지 않음)로 16.6초가 걸렸습니다. 같은 Keras 모델을 무작위 이미지로 코스가 측정한 값이며, TensorFlow
# 자체는 이 측정에 포함되지 않았습니다. *fast* 모드(훈련 이미지 1,024개, 짧은 에폭 2번)는 어디서든 1분
# 정도면 끝납니다. 모든 단계가 작동하는 것은 확인할 수 있지만, 정확도는 실제보다 훨씬 낮습니다. 바로 아래의
# **작업량(Workload)** 셀에서, 설정 셀을 실행하기 전에 고르세요.
#
# **full 모드에서 나와야 할 결과:** 5번째 에폭 뒤 테스트 정확도 약 **98.8-99.3 %**. 이 레슨의 모델과 루프로
# 실제 MNIST를 한 번 학습했을 때 99.08 %가 나왔습니다(코스가 측정). 무작위 시작점이나 GPU가 달라지면 이
# 값이 0.몇 퍼센트 정도 달라집니다. 글의 98.73 %가 이보다 낮은 것은 이 값이 다섯 에폭 전체의 평균이기
# 때문입니다(7절).

# %% [markdown] cell=md-02 en=2d7be3d6ae
# ## 임포트
# Keras 3는 독립된 패키지입니다: `keras`를 직접 임포트하세요(글에서 쓰는 `tensorflow.keras`도 TensorFlow
# 2.16 이상에서 여전히 작동하며, 그 버전에서는 같은 Keras 3입니다).

# %% [markdown] cell=md-03 en=0f1b954d6a
# ## 1. 데이터: MNIST
# 손으로 쓴 숫자를 담은 28x28 흑백 이미지 70,000개로, 60,000개는 훈련용이고 10,000개는 테스트용입니다.
# `load_mnist()`(설정 셀에서 정의)는 `keras.datasets.mnist.load_data()`와 같은 값을 반환합니다. 처음
# 호출할 때 11 MB 파일을 내려받고, 런타임이 유지되는 동안에는 그 파일을 다시 씁니다.

# %% [code] cell=code-02 en=a69dfefc17
(x_train, y_train), (x_test, y_test) = load_mnist()
print("훈련:", x_train.shape, x_train.dtype, "| 테스트:", x_test.shape, "| 레이블:", np.unique(y_train))
show_image_grid(x_train, y_train, rows=3, cols=8, title="MNIST 훈련 이미지와 레이블")

# %% [markdown] cell=md-04 en=7269a35e3c
# fast 모드에서는 작은 부분 집합만 남겨서 노트북 전체가 CPU에서 1분 정도면 실행되게 합니다.
# full 모드에서는 글처럼 전체 데이터로 학습합니다.

# %% [code] cell=code-03 en=646c4845ef
N_TRAIN, N_TEST = by_mode(fast=(1024, 256), full=(len(x_train), len(x_test)))
x_train, y_train = x_train[:N_TRAIN], y_train[:N_TRAIN]
x_test, y_test = x_test[:N_TEST], y_test[:N_TEST]
print(f"훈련 이미지 {len(x_train)}개와 테스트 이미지 {len(x_test)}개를 사용합니다.")

# %% [markdown] cell=md-05 en=5bbd9a85f1
# ## 2. 연습 문제: 픽셀 스케일 조정과 채널 축 추가
# `Conv2D`는 `(batch, height, width, channels)`, 곧 (배치, 높이, 너비, 채널) 모양의 입력을 기대합니다.
# MNIST 이미지는 `(height, width)` 모양이어서, 흑백 채널 하나가 적혀 있지 않은 셈입니다.
# `prepare_images(images)`를 작성하세요: `uint8` 픽셀을 `[0, 1]` 범위의 `float32`로 바꾸고(255로 나누기)
# 맨 뒤에 채널 축을 추가해서, `(60000, 28, 28)`이 `(60000, 28, 28, 1)`이 되게 합니다. 글은 `tf.newaxis`로
# 인덱싱합니다(`images[..., tf.newaxis]`). `np.expand_dims`나 `reshape`를 써도 같은 배열이 나옵니다.
# `tf.Tensor`가 아니라 **NumPy 배열**을 반환하세요(`.numpy()`로 텐서를 NumPy 배열로 바꿀 수 있습니다).
# 훈련 뒤의 셀들이 위치를 담은 NumPy 배열로 테스트 이미지를 인덱싱하는데, 텐서는 이런 인덱싱을 받아들이지
# 않습니다. 아래 검사는 반환 타입도 확인합니다.

# %% [answer] cell=prepare_images en=36b911d81e
def prepare_images(images):
    """uint8 이미지 (N, H, W)를 [0, 1] 범위의 float32로 바꾸고 채널 축을 추가합니다: (N, H, W, 1)."""
    ### BEGIN SOLUTION
    images = tf.cast(images, tf.float32) / 255.0
    return images[..., tf.newaxis].numpy()
    ### END SOLUTION

# %% [tests] cell=prepare_images_hidden en=a8d623f62e
# 노트북을 채점할 때 prepare_images의 숨겨진 테스트가 여기서 실행됩니다.

# %% [markdown] cell=md-06 en=a725a57ba9
# ## 3. 연습 문제: `tf.data` 파이프라인
# `make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None)`를
# 작성하세요. 반환값은 `(train_ds, test_ds)`입니다:
# - `train_ds`: `tf.data.Dataset.from_tensor_slices((x_train, y_train))`을 버퍼 크기 `shuffle_buffer`(와
#   `seed`)로 **섞은** 다음 배치로 묶습니다. 배치로 묶기 *전에* 섞어야 에폭마다 배치 구성이 달라집니다.
# - `test_ds`: 테스트 쌍을 원래 순서대로 배치로 묶습니다(섞지 않습니다: 평가에는 필요 없습니다).
#
# 끝에 `.prefetch(tf.data.AUTOTUNE)`를 붙이면 GPU가 학습하는 동안 CPU가 다음 배치를 준비합니다.

# %% [answer] cell=make_datasets en=6e42c275db
def make_datasets(x_train, y_train, x_test, y_test, batch_size=32, shuffle_buffer=10000, seed=None):
    """(train_ds, test_ds)를 반환합니다: 훈련 세트는 섞은 뒤 배치로 묶고, 테스트 세트는 순서대로 배치로 묶습니다."""
    ### BEGIN SOLUTION
    train_ds = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
                .shuffle(shuffle_buffer, seed=seed)
                .batch(batch_size)
                .prefetch(tf.data.AUTOTUNE))
    test_ds = (tf.data.Dataset.from_tensor_slices((x_test, y_test))
               .batch(batch_size)
               .prefetch(tf.data.AUTOTUNE))
    return train_ds, test_ds
    ### END SOLUTION

# %% [tests] cell=make_datasets_hidden en=48dabda03d
# 노트북을 채점할 때 make_datasets의 숨겨진 테스트가 여기서 실행됩니다.

# %% [markdown] cell=md-07 en=99b8b1b452
# ## 4. 연습 문제: `keras.Model`을 서브클래싱한 VGG 스타일 모델
# 서브클래싱이란 `__init__`에서 층을 만들고(가중치는 층이 가집니다) `call`에서 데이터가 어떻게 흐르는지
# 정하는 방식입니다. 다음 축소 VGG-16을 만드세요(합성곱은 모두 3x3, `padding="same"`, ReLU):
#
# | 블록 | 층 | 출력 모양 |
# | --- | --- | --- |
# | 1 | Conv2D 32 - Conv2D 32 - MaxPooling2D 2x2 | (14, 14, 32) |
# | 2 | Conv2D 64 - Conv2D 64 - MaxPooling2D 2x2 | (7, 7, 64) |
# | 헤드 | Flatten (7 x 7 x 64 = 3136) - Dense 128 ReLU - Dense 10 softmax | (10,) |
#
# 합성곱은 채널을 늘리고, 풀링은 높이와 너비를 절반으로 줄입니다: 네트워크는 *어디에* 있는지를 내주고
# *무엇*인지를 얻습니다. 글은 모델을 TODO로 남겨 둡니다. 글이 실제로 알려 주는 것은 Conv2D와
# MaxPooling2D 층, 3,136개 값으로 펼쳐지는(Flatten) 7x7x64 텐서(따라서 풀링 두 번, 마지막 채널 64개),
# 완전 연결 층(Dense) 두 개, softmax입니다. 나머지, 곧 블록마다 합성곱 두 개, 블록 1의 필터 32개, 첫
# Dense 층의 유닛 128개는 글이 아니라 코스가 VGG 스타일로 재구성한 것입니다. 모델의 파라미터는
# **467,818**개입니다.
#
# 마지막 층의 `softmax`는 확률을 입력으로 받는(`from_logits=False`) 아래의 손실 함수와 짝이 맞습니다.
# 마지막 층에는 `dtype="float32"`를 지정하세요: GPU에서 이 노트북은 혼합 정밀도(mixed precision)로
# 학습하며(아래 *GPU에서의 속도* 참고), 그때도 확률은 float32로 남아야 합니다.

# %% [answer] cell=my_model en=be9f1dfdae
class MyModel(keras.Model):
    """축소 VGG-16: 3x3 합성곱 두 개(필터 32개, 다음 블록은 64개, 'same' 패딩, ReLU)와 그 뒤의
    2x2 최대 풀링으로 이루어진 블록 두 개, 그다음 Flatten, Dense(128, ReLU), Dense(10, softmax)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.conv1a = layers.Conv2D(32, 3, padding="same", activation="relu")
        self.conv1b = layers.Conv2D(32, 3, padding="same", activation="relu")
        self.pool1 = layers.MaxPooling2D(2)
        self.conv2a = layers.Conv2D(64, 3, padding="same", activation="relu")
        self.conv2b = layers.Conv2D(64, 3, padding="same", activation="relu")
        self.pool2 = layers.MaxPooling2D(2)
        self.flatten = layers.Flatten()
        self.dense = layers.Dense(128, activation="relu")
        # dtype="float32": (GPU의) 혼합 정밀도에서도 확률은 float32로 남습니다.
        self.classifier = layers.Dense(10, activation="softmax", dtype="float32")
        ### END SOLUTION

    def call(self, x):
        ### BEGIN SOLUTION
        x = self.pool1(self.conv1b(self.conv1a(x)))
        x = self.pool2(self.conv2b(self.conv2a(x)))
        x = self.dense(self.flatten(x))
        x = self.classifier(x)
        ### END SOLUTION
        return x

# %% [tests] cell=my_model_hidden en=8f31b85f45
# 노트북을 채점할 때 MyModel의 숨겨진 테스트가 여기서 실행됩니다.

# %% [markdown] cell=md-08 en=0b0bb55225
# ### GPU에서의 속도: 혼합 정밀도와 XLA
# GPU에서 full 모드로 실행하면 `training_speedups()`(설정 셀에서 정의)가 두 가지를 켭니다. **혼합 정밀도**
# (`mixed_float16`): 층이 float16으로 계산합니다. float16 텐서 코어가 있는 GPU(T4 포함)는 이 계산을
# float32보다 몇 배 빠르게 처리하며, 가중치는 float32로 유지됩니다. softmax 출력도 float32로 남고(위의
# `dtype="float32"`), 옵티마이저(optimizer)는 `LossScaleOptimizer`로 감쌉니다. 이 옵티마이저는
# 그레이디언트(gradient)를 구하기 전에 손실에 배율을 곱하고(작은 float16 그레이디언트가 0으로 반올림되지
# 않도록) 업데이트 전에 그레이디언트를 다시 그만큼 나눕니다. **XLA**(`jit_compile=True`)는 스텝 전체, 곧 순전파(forward
# pass)와 그레이디언트 계산, 업데이트를 더 적은 수의 융합된 GPU 커널로 컴파일합니다: 커널을 실행하는 데 드는 시간이
# 줄고, 중간 결과가 GPU 메모리를 오가는 횟수도 줄어듭니다. 작은 모델을 배치 32로 학습할 때처럼 스텝
# 하나하나가 작을 때 가장 효과가 큽니다. CPU에서, 그리고 fast 모드에서는 둘 다 꺼져 있습니다: CPU에는 빠른
# float16 연산 장치가 없고, 짧은 에폭 두 번으로는 XLA의 컴파일 시간을 만회하지 못합니다.
# `with SPEED.policy():` 안에서 만든 모델만 혼합 정밀도를 쓰며, 아래의 검사들은 각자 float32 모델을
# 만듭니다.

# %% [code] cell=code-06 en=d0ecea17f5
SPEED = training_speedups()
with SPEED.policy():
    model = MyModel()
    model(x_train[:1])  # 서브클래싱한 모델은 처음 호출될 때 가중치를 만듭니다
model.summary()

# %% [markdown] cell=md-09 en=2a92118a78
# ## 5. 손실, 옵티마이저, 지표 (글과 같습니다)
# `SparseCategoricalCrossentropy`는 정수 레이블과 확률 벡터를 받습니다. 네 지표(metric)는 재설정(reset)될
# 때까지 자신이 본 배치들에 걸쳐 값을 누적합니다. 연습 문제 7에서 이 점을 기억하세요.

# %% [code] cell=code-07 en=221c31c142
loss_object = keras.losses.SparseCategoricalCrossentropy()
optimizer = SPEED.optimizer(keras.optimizers.Adam())   # 혼합 정밀도에서는 LossScaleOptimizer

train_loss = keras.metrics.Mean(name="train_loss")
train_accuracy = keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")
test_loss = keras.metrics.Mean(name="test_loss")
test_accuracy = keras.metrics.SparseCategoricalAccuracy(name="test_accuracy")

# %% [markdown] cell=md-10 en=c211190aba
# ## 6. 연습 문제: `tf.GradientTape`로 `train_step`과 `test_step` 작성하기
# 글은 `train_step`을 전역 `model`, `optimizer`, 지표를 가져다 쓰는 전역 함수로 작성합니다. 여기서는 그
# 대신 작은 *팩토리(factory)* 함수를 작성합니다: 각 팩토리는 스텝에 필요한 것을 인자로 받아 스텝 함수를
# 반환합니다. 이 함수는 `@tf.function`으로 데코레이트되어 있어서, TensorFlow가 한 번 트레이싱(tracing)해
# 빠른 그래프로 만듭니다.
#
# - `make_train_step(model, loss_object, optimizer, train_loss, train_accuracy)`는
#   `train_step(images, labels)`를 반환합니다: `tf.GradientTape` 안에서 예측하고(`training=True`) 손실을
#   계산합니다. `model.trainable_variables`에 대한 `optimizer.scale_loss(loss)`의 그레이디언트를
#   구합니다(혼합 정밀도에서는 스케일된 손실이고, 그 밖에는 손실 그대로입니다). 옵티마이저로 그레이디언트를
#   적용합니다. `train_loss`는 손실로, `train_accuracy`는 `(labels, predictions)`로 업데이트합니다.
# - `make_test_step(model, loss_object, test_loss, test_accuracy)`는 `test_step(images, labels)`를
#   반환합니다: 예측한 다음(`training=False`) 두 지표를 업데이트합니다. 테이프도 없고, 가중치도 바뀌지
#   않습니다.

# %% [answer] cell=train_test_steps en=5be686e249
def make_train_step(model, loss_object, optimizer, train_loss, train_accuracy):
    """그레이디언트 스텝을 한 번 수행하고 배치의 손실과 예측으로 두 지표를 업데이트하는
    ``@tf.function`` ``train_step(images, labels)``를 반환합니다."""
    ### BEGIN SOLUTION
    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            loss = loss_object(labels, predictions)
            scaled_loss = optimizer.scale_loss(loss)  # 혼합 정밀도에서는 손실 스케일링, 그 밖에는 손실 그대로
        gradients = tape.gradient(scaled_loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        train_loss(loss)
        train_accuracy(labels, predictions)
    return train_step
    ### END SOLUTION


def make_test_step(model, loss_object, test_loss, test_accuracy):
    """모델을 바꾸지 않고 두 지표를 업데이트하는
    ``@tf.function`` ``test_step(images, labels)``를 반환합니다."""
    ### BEGIN SOLUTION
    @tf.function
    def test_step(images, labels):
        predictions = model(images, training=False)
        test_loss(loss_object(labels, predictions))
        test_accuracy(labels, predictions)
    return test_step
    ### END SOLUTION

# %% [tests] cell=train_step_hidden en=eb97bd6425
# 노트북을 채점할 때 train_step의 숨겨진 테스트가 여기서 실행됩니다.

# %% [tests] cell=test_step_hidden en=8f8b969a5a
# 노트북을 채점할 때 test_step의 숨겨진 테스트가 여기서 실행됩니다.

# %% [code] cell=code-08 en=6be454c0fe
train_step = make_train_step(model, loss_object, optimizer, train_loss, train_accuracy)
test_step = make_test_step(model, loss_object, test_loss, test_accuracy)
if SPEED.jit_compile:  # 같은 Python 함수를 XLA로 컴파일합니다
    train_step = tf.function(train_step.python_function, jit_compile=True)
    test_step = tf.function(test_step.python_function, jit_compile=True)

# %% [markdown] cell=md-11 en=3293ab631f
# ## 7. 연습 문제: 에폭 루프, 그리고 원래 글의 버그
# 글의 루프는 지표를 한 번도 재설정하지 않습니다. `keras.metrics.Mean`은 `reset_state()`가 호출될 때까지
# 계속 합산하므로, 글의 "에포크: 5" 줄은 에폭 5가 아니라 **다섯 에폭 전체**의 평균입니다: 글의 숫자들은
# 누적 평균(running average)이라서 모델의 실제 성능보다 나빠 (그리고 더 매끄러워) 보입니다. (글을 쓸
# 당시에는 이 메서드의 이름이 `reset_states`였고, Keras 3에서는 `reset_state`입니다.)
#
# 테스트 지표도 재설정되지 않으므로, 글의 "98.73 %"는 크기가 같은 테스트 다섯 번의 평균입니다. 글의 출력만
# 있으면 이를 되돌릴 수 있습니다: 테스트 정확도가 에폭 4 뒤에 98.61, 에폭 5 뒤에 98.732이므로, 에폭 5만의
# 점수는 5 x 98.732 - 4 x 98.61 = **99.22 %**입니다. 글이 마지막 문장에서 말하는 "99 %"와도, 이 노트북이
# 예상하는 범위와도 맞는 값입니다.
#
# `run_epochs(epochs, train_ds, test_ds, train_step, test_step, train_loss, train_accuracy,
# test_loss, test_accuracy, verbose=True)`를 작성하세요: 에폭마다 **네 지표를 재설정**하고, 모든 훈련
# 배치에 `train_step`을, 모든 테스트 배치에 `test_step`을 실행한 다음, 네 결과를 기록합니다. 리스트를 담은
# 딕셔너리 `{"loss": [...], "accuracy": [...], "test_loss": [...], "test_accuracy": [...]}`를
# 반환하고(값은 Python float, 정확도는 글처럼 퍼센트), `verbose`이면 에폭마다 네 숫자를 한 줄로
# 출력하세요(글의 출력 줄처럼. full 모드에서는 그 에폭에 걸린 시간(초)을 함께 출력하면 도움이 됩니다).
# 에폭을 학습하는 동안 보여 주는 진행 막대(`keras.utils.Progbar`)는 선택 사항이며, 검사하지 않습니다.

# %% [answer] cell=run_epochs en=45b0908b16
def run_epochs(epochs, train_ds, test_ds, train_step, test_step,
               train_loss, train_accuracy, test_loss, test_accuracy, verbose=True):
    """``epochs`` 에폭 동안 학습하고, 에폭별 리스트 'loss', 'accuracy', 'test_loss',
    'test_accuracy'를 담은 딕셔너리를 반환합니다(정확도는 퍼센트). 에폭마다 지표를 재설정한
    상태에서 시작하므로 각 숫자는 그 에폭만을 나타냅니다. ``verbose``이면 에폭마다 네 숫자를
    한 줄로 출력합니다. (선택 사항이며 검사하지 않음: 에폭을 학습하는 동안의 진행 막대.)"""
    ### BEGIN SOLUTION
    import time

    history = {"loss": [], "accuracy": [], "test_loss": [], "test_accuracy": []}
    metrics = (train_loss, train_accuracy, test_loss, test_accuracy)
    steps = int(train_ds.cardinality())
    for epoch in range(epochs):
        started = time.perf_counter()
        for metric in metrics:
            metric.reset_state()
        bar = keras.utils.Progbar(steps if steps > 0 else None, verbose=1 if verbose else 0,
                                  stateful_metrics=["loss", "accuracy"])
        for step, (images, labels) in enumerate(train_ds, 1):
            train_step(images, labels)
            if verbose and (step % 20 == 0 or step == steps):
                bar.update(step, [("loss", float(train_loss.result())),
                                  ("accuracy", 100 * float(train_accuracy.result()))])
        for test_images, test_labels in test_ds:
            test_step(test_images, test_labels)
        results = [float(m.result()) for m in metrics]
        results[1] *= 100
        results[3] *= 100
        for key, value in zip(history, results):
            history[key].append(value)
        if verbose:
            print(f"에폭 {epoch + 1}/{epochs}: 손실 {results[0]:.4f}, 정확도 {results[1]:.2f}%, "
                  f"테스트 손실 {results[2]:.4f}, 테스트 정확도 {results[3]:.2f}% - "
                  f"{time.perf_counter() - started:.1f}초", flush=True)
    return history
    ### END SOLUTION

# %% [tests] cell=run_epochs_hidden en=a8ce81dd7b
# 노트북을 채점할 때 run_epochs의 숨겨진 테스트가 여기서 실행됩니다.

# %% [markdown] cell=md-12 en=a08791ee43
# ## 8. 학습
# 글은 이미지 60,000개 전체로 5 에폭을 학습합니다. full 모드도 똑같이 학습하며 에폭마다 한 줄을 출력합니다.
# 마지막 줄의 테스트 정확도는 약 98.8-99.3 %여야 합니다(코스의 실행: 99.08 %). fast 모드는 부분 집합으로
# 짧은 에폭 2번을 학습합니다. 첫 에폭에는 TensorFlow가 두 `@tf.function` 스텝을 트레이싱하는 시간(GPU의 full
# 모드에서는 XLA가 이를 컴파일하는 시간까지)도 들어 있으므로, 다른 에폭보다 오래 걸립니다.

# %% [markdown] cell=md-13 en=b2359bf34c
# ### 글의 루프였다면 출력했을 값
# 에폭마다 배치 수가 같으므로, 재설정하지 않으면 에폭 *k* 뒤에 출력되는 손실은 에폭 1..*k*의 평균입니다.
# 두 열을 비교해 보세요: 누적 평균은 모델의 실제 상태보다 뒤처집니다.

# %% [code] cell=code-10 en=472d27f921
_running = np.cumsum(history["loss"]) / np.arange(1, EPOCHS + 1)
for _epoch, (_real, _post) in enumerate(zip(history["loss"], _running), 1):
    print(f"에폭 {_epoch}: 이 에폭의 손실 {_real:.4f} | 글의 루프가 출력하는 값 {_post:.4f}")

# %% [markdown] cell=md-14 en=26ba946ad0
# ## 9. 글 너머: 학습 곡선, 혼동 행렬(confusion matrix), 틀린 예측

# %% [code] cell=code-11 en=50c1abd819
plot_history(history, title=f"MNIST로 학습한 축소 VGG-16 ({MODE} 모드)")

# %% [code] cell=code-12 en=91ae47dbdf
probabilities = model.predict(x_test, batch_size=256, verbose=0)
y_pred = probabilities.argmax(axis=1)
print(f"테스트 정확도: 이미지 {len(y_test)}개에서 {np.mean(y_pred == y_test) * 100:.2f}%")
plot_confusion_matrix(tf.math.confusion_matrix(y_test, y_pred, num_classes=10).numpy(),
                      title="MNIST 테스트 세트: 실제 숫자와 예측 숫자")

# %% [code] cell=code-13 en=fdd2ecfed1
wrong = np.flatnonzero(y_pred != y_test)
print(f"잘못 분류된 테스트 이미지: {len(wrong)}개")
if len(wrong):
    show_image_grid(x_test[wrong], y_test[wrong], predictions=y_pred[wrong], rows=2, cols=8,
                    title="잘못 분류된 숫자 (실제와 예측)")

# %% [markdown] cell=md-15 en=50a57889d9
# ## 요약
# - `tf.newaxis`는 `Conv2D`에 필요한 채널 축을 추가합니다. `tf.data`는 (배치로 묶기 전에) 섞고, 배치로
#   묶습니다.
# - 서브클래싱: 층은 `__init__`에서, 순전파는 `call`에서.
# - `tf.GradientTape`는 순전파를 기록합니다. `tape.gradient` + `optimizer.apply_gradients`가 한 스텝이고,
#   `@tf.function`이 이를 컴파일합니다.
# - 지표는 `reset_state()`를 호출할 때까지 누적됩니다: 에폭마다 재설정하세요. 그러지 않으면 "에폭" 숫자가
#   누적 평균이 됩니다. 이것이 원래 글의 버그입니다.
