# %% [markdown] cell=md-01 en=37c9cb3cc9
# # 레슨 02 - CIFAR-10에서 함수형 API로 만드는 "VGG16 brief"
#
# *글 "VGG16 Code Implementation with Cifar-10 dataset"(2020)을 재현합니다. 이 글은 CIFAR-10의 32x32 컬러 이미지에
# 맞춰 VGG16을 파라미터 약 100만 개로 줄이고, Keras 함수형 API(functional API)로 모델을 만들며, 배치 정규화(batch
# normalization) 대신 드롭아웃(dropout)을 쓰고, 테스트 이미지 10,000장을 반으로 나누어 5,000장은 검증(validation)에,
# 5,000장은 최종 테스트에 사용합니다.*
#
# 원래의 VGG16은 합성곱 층에만 파라미터가 약 1,500만 개 있습니다. 작은 이미지를 10개 클래스로 나누기에는 지나치게
# 많습니다. 원글은 VGG의 방식, 즉 `padding="same"`인 3x3 합성곱, 블록마다 끝에 두는 2x2 최대 풀링(max pooling),
# 32 -> 64 -> 128로 늘어나는 채널 수는 그대로 두되, 블록마다 합성곱을 하나만 두고 합성곱마다 뒤에 드롭아웃을 넣습니다.
#
# **할 일:** 슬라이싱(slicing)으로 테스트 세트를 검증용 절반과 테스트용 절반으로 나눕니다(반복문 없이). 함수형 API로
# 원글과 똑같은 모델을 만듭니다(**파라미터 1,147,466개**). Adam과 희소 범주형 교차 엔트로피(sparse categorical
# cross-entropy)로 모델을 컴파일합니다. `ReduceLROnPlateau`를 원글처럼 설정합니다. 배치 크기 256으로 학습합니다.
# 따로 떼어 둔 절반으로 평가하고 학습 곡선을 그립니다. 그 과정에서 원글에서 지금은 실행되지 않는 한 줄을 고칩니다.
#
# **진행 방법:** 먼저 작업량(Workload) 셀과 설정 셀을 실행하세요(Colab에서는 *런타임 > 런타임 유형 변경 > GPU*).
# `# TODO`가 표시된 셀을 모두 채우고(`raise NotImplementedError()` 줄은 지우세요) 바로 아래의 검사 셀을 실행하세요.
# 여기서 보이는 검사는 점수의 일부일 뿐입니다. 숨겨진 테스트가 다른 입력으로 여러분의 코드를 시험합니다. 다 끝나면 맨
# 끝의 *제출할 준비가 되었나요?* 셀을 따르세요(제출 전 마지막 실행은 fast 모드여도 됩니다).
#
# **시간과 작업량.** *full* 모드는 원글처럼 학습합니다: 50,000장 전체로 100 에폭(epoch), 배치 크기 256. 모델 크기로
# 추정하면(이미지 한 장에 부동소수점 연산 2,300만 번, 학습 1 에폭에 약 3.4 TFLOP) **Colab T4 GPU에서 약 5-10분**,
# 2코어 CPU에서 40-60분이 걸립니다. GPU가 없으면 full 모드는 설정 셀에서 멈추고, 그래도 계속하는 방법을 알려 줍니다.
# 비교하자면, 데이터 센터용 GPU(NVIDIA H200)에서 이 모델의 학습 스텝 1 에폭(배치 256, float32)은 JAX 백엔드의
# Keras 3로 0.3초(모든 스텝을 XLA로 컴파일), PyTorch 백엔드로 2.5초(즉시 실행, 컴파일 없음)가 걸렸습니다. 무작위
# 이미지로 같은 Keras 모델을 코스에서 측정한 값이며, TensorFlow 자체는 이때 측정하지 않았습니다. *fast* 모드(이미지
# 1,000장, 2 에폭)는 어디서든 1분 정도면 끝나지만, 정확도는 실제 값보다 훨씬 낮습니다. 설정 셀보다 먼저, 바로 아래의
# **작업량(Workload)** 셀에서 고르세요.
#
# **full 모드에서 나와야 할 출력:** 에폭마다 한 줄, 그리고 마지막에 따로 떼어 둔 절반에 대한 테스트 정확도 대략
# **73-79 %**. 이 값은 추정치입니다(맨 끝의 *full 모드에서 기대할 결과* 참고). 원글은 결과를 스크린숏으로만 보여 주고
# 본문에는 수치를 적지 않았습니다.

# %% [markdown] cell=md-02 en=068d081e98
# ## 임포트
# 원글은 `tensorflow.keras`와 독립 `keras` 패키지 양쪽에서 임포트합니다. 2020년에는 둘이 서로 다른 라이브러리였고,
# 한 모델 안에서 양쪽의 층을 섞으면 원인을 알기 어려운 방식으로 실패할 수 있었습니다. TensorFlow 2.16부터는 두
# 이름 모두 같은 Keras 3를 가리키므로 여기서는 그냥 `import keras`를 씁니다.

# %% [markdown] cell=md-03 en=ae35cf0e82
# ## 1. 데이터: CIFAR-10
# 10개 클래스로 된 32x32 픽셀 컬러 이미지 60,000장입니다. 50,000장은 훈련용, 10,000장은 테스트용입니다.
# `load_cifar10()`(설정 셀에서 정의)은 `keras.datasets.cifar10.load_data()`와 똑같은 것을 반환합니다(처음에 170 MB
# 압축 파일을 내려받고, 런타임이 유지되는 동안 다시 사용합니다). 레이블(label)의 모양(shape)은 `(N, 1)`로 이미지마다
# 0-9 정수가 하나씩 있으며, `CIFAR10_CLASSES`에 클래스 이름이 들어 있습니다.

# %% [code] cell=code-02 en=887cf0676d
(x_train, y_train), (x_test, y_test) = load_cifar10()
print("훈련:  ", x_train.shape, x_train.dtype, "| 레이블:", y_train.shape, y_train.dtype)
print("테스트:", x_test.shape, "| 클래스:", ", ".join(CIFAR10_CLASSES))

# %% [markdown] cell=md-04 en=d207f8fc34
# fast 모드에서는 작은 부분 집합만 남겨서 노트북 전체가 CPU에서 1분 정도면 실행됩니다. full 모드에서는 원글처럼
# 데이터를 모두 사용합니다.

# %% [code] cell=code-03 en=406dbee373
N_TRAIN, N_TEST = by_mode(fast=(1000, 1000), full=(len(x_train), len(x_test)))
x_train, y_train = x_train[:N_TRAIN], y_train[:N_TRAIN]
x_test, y_test = x_test[:N_TEST], y_test[:N_TEST]
print(f"훈련 이미지 {len(x_train)}장과 테스트 이미지 {len(x_test)}장을 사용합니다.")

# %% [markdown] cell=md-05 en=0a360f7b6d
# ## 2. 연습 문제: 테스트 세트를 검증 세트와 테스트 세트로 나누기 - 반복문 없이
# 원글에는 학습 중에 지켜볼(그리고 학습률 스케줄을 움직일) *검증* 세트와, 최종 점수를 위해 손대지 않고 남겨 둘
# *테스트* 세트가 필요합니다. 그래서 테스트 이미지 10,000장을 둘로 자릅니다. 앞의 5,000장은 검증 세트, 뒤의
# 5,000장은 새 테스트 세트가 됩니다. 원글은 파이썬 `for` 반복문 두 개로 이미지를 한 장씩 리스트에 `append`한 다음,
# 리스트를 다시 배열로 바꿉니다.
#
# NumPy는 같은 일을 슬라이싱으로, 한 줄에, 이미지를 한 장씩 복사하지 않고 해냅니다. `a[:n]`은 처음 `n`개 행이고
# `a[n:]`은 나머지입니다. `((x_val, y_val), (x_rest, y_rest))`를 반환하는 `split_validation(x_test, y_test,
# n_val=5000)`을 작성하세요.
# - 처음 `n_val`개 샘플(이미지*와* 레이블)이 검증 세트, 나머지가 테스트 세트이며, 원래 순서를 유지합니다.
# - 테스트 세트의 크기가 얼마든, 레이블의 모양이 `(N,)`이든 `(N, 1)`이든 동작해야 합니다. 모든 배열은 dtype과 첫 번째
#   축 뒤의 모양을 유지합니다(모양이 `(N, 1)`인 레이블은 `(n_val, 1)`과 `(N - n_val, 1)`이 됩니다).
# - 샘플을 하나씩 도는 파이썬 반복문은 쓰지 않습니다. 슬라이스만 씁니다.
# - `n_val`이 음수이거나 테스트 세트보다 크면 `ValueError`를 일으키세요(슬라이싱은 요청한 것보다 적은 샘플을 아무
#   말 없이 돌려줄 것입니다).

# %% [answer] cell=split_validation en=8b323867ee
def split_validation(x_test, y_test, n_val=5000):
    """테스트 세트를 반복문 없이, 순서대로 둘로 나눕니다. 처음 ``n_val``개 샘플은 검증 세트가 되고,
    나머지는 따로 떼어 둔 테스트 세트가 됩니다. ((x_val, y_val), (x_rest, y_rest))를 반환합니다.
    ``n_val``이 0과 len(x_test) 사이에 있지 않으면 ValueError를 일으킵니다."""
    ### BEGIN SOLUTION
    x_test, y_test = np.asarray(x_test), np.asarray(y_test)
    if not 0 <= n_val <= len(x_test):
        raise ValueError(f"n_val must lie between 0 and {len(x_test)} (the test set's size), not {n_val}")
    return (x_test[:n_val], y_test[:n_val]), (x_test[n_val:], y_test[n_val:])
    ### END SOLUTION

# %% [tests] cell=split_validation_hidden en=e7fbf39ea6
# split_validation의 숨겨진 테스트는 노트북을 채점할 때 여기서 실행됩니다.

# %% [markdown] cell=md-06 en=f3090d3993
# 실제 테스트 세트는 10,000장이므로 `n_val = len(x_test) // 2`는 원글의 5,000입니다. fast 모드에서는 테스트 부분
# 집합이 더 작지만(최대 1,000장), 같은 줄로 여전히 크기가 같은 두 절반을 얻습니다.
#
# 원글은 0-255 범위의 원래 픽셀 값을 그대로 네트워크에 넣습니다. 여기서는 일반적인 관행대로 값을 `[0, 1]`로
# 조정합니다. Keras의 기본 가중치 초기화는 크기가 1 정도인 입력에 맞춰져 있어서, 0-255를 그대로 넣으면 첫 번째 층의
# 출력이 첫 스텝부터 255배 커집니다. (파라미터 개수는 바뀌지 않습니다.)

# %% [code] cell=code-04 en=1b949afb79
(x_val, y_val), (x_test, y_test) = split_validation(x_test, y_test, n_val=len(x_test) // 2)
print("훈련:  ", x_train.shape, y_train.shape)
print("검증:  ", x_val.shape, y_val.shape)
print("테스트:", x_test.shape, y_test.shape)
x_train, x_val, x_test = (a.astype("float32") / 255.0 for a in (x_train, x_val, x_test))

# %% [markdown] cell=md-07 en=2d51d8fde2
# 원글처럼 새 테스트 세트의 처음 25장을 보면서, 나눈 뒤에도 이미지와 레이블이 제대로 짝지어져 있는지 확인합니다.

# %% [code] cell=code-05 en=de59f4a542
show_image_grid(x_test, y_test, class_names=CIFAR10_CLASSES, rows=5, cols=5,
                title="따로 떼어 둔 테스트 세트: 처음 25장의 이미지와 클래스")

# %% [markdown] cell=md-08 en=b7ebcfc2f0
# ## 3. 연습 문제: 함수형 API로 만드는 "VGG16 brief" 모델
# 함수형 API는 층을 함수처럼 연결합니다. `keras.Input(shape=...)`에서 시작해 각 층을 이전 결과에 대해 호출하고
# (`x = layers.Conv2D(...)(x)`), 마지막으로 `keras.Model(inputs=..., outputs=...)`을 만듭니다.
# `build_model(input_shape=(32, 32, 3), num_classes=10)`을 작성하세요. 이 함수는 호출할 때마다 **새** 모델을
# 반환하며, 모델 이름은 `"VGG16_Brief"`(원글의 함수 이름)이고, 정확히 다음 층들로 이루어집니다(합성곱은 모두 3x3,
# `padding="same"`, ReLU이고, 풀링은 모두 2x2, 스트라이드 2). 표가 전체 목록입니다. 각 활성화 함수는 해당 층 안에
# 넣고(`activation="relu"`, `activation="softmax"`) 별도의 `ReLU`/`Activation`/`Softmax` 층으로 두지 않으며,
# `predictions` 뒤에는 아무것도 오지 않습니다. 코드를 어떻게 구성할지는 자유입니다(한 줄에 층 하나, 반복문, 작은
# 함수, 블록별 코드). 모델이 함수형 `keras.Model`이기만 하면 됩니다.
#
# | # | 층 | 이름 | 출력 모양 | 파라미터 | 계산 |
# | --- | --- | --- | --- | ---: | --- |
# | 1 | Conv2D 32 | `block1_conv` | (32, 32, 32) | 896 | 3·3·3·32 + 32 |
# | 2 | Dropout 0.256 | `block1_dropout` | (32, 32, 32) | 0 | |
# | 3 | MaxPooling2D | `block1_pool` | (16, 16, 32) | 0 | |
# | 4 | Conv2D 64 | `block2_conv` | (16, 16, 64) | 18,496 | 3·3·32·64 + 64 |
# | 5 | Dropout 0.25 | `block2_dropout` | (16, 16, 64) | 0 | |
# | 6 | MaxPooling2D | `block2_pool` | (8, 8, 64) | 0 | |
# | 7 | Conv2D 128 | `block3_conv` | (8, 8, 128) | 73,856 | 3·3·64·128 + 128 |
# | 8 | Dropout 0.25 | `block3_dropout` | (8, 8, 128) | 0 | |
# | 9 | MaxPooling2D | `block3_pool` | (4, 4, 128) | 0 | |
# | 10 | Flatten | `flatten` | (2048,) | 0 | 4·4·128 = 2048 |
# | 11 | Dense 512, ReLU | `fc` | (512,) | 1,049,088 | 2048·512 + 512 |
# | 12 | Dropout 0.5 | `fc_dropout` | (512,) | 0 | |
# | 13 | Dense `num_classes`, softmax | `predictions` | (10,) | 5,130 | 512·10 + 10 |
# | | **합계** | | | **1,147,466** | |
#
# 합성곱 층의 가중치는 `커널 높이 · 커널 너비 · 입력 채널 수 · 필터 수`개이고, 여기에 필터마다 편향(bias)이 하나씩
# 더해집니다. Dense 층은 `입력 수 · 유닛 수 + 유닛 수`개입니다. 풀링, 드롭아웃, 펼치기(flatten)는 아무것도 학습하지
# 않습니다. 파라미터가 어디에 있는지 눈여겨보세요. 91 %가 `Flatten` 뒤의 Dense 층 하나에 있습니다.
#
# 그렇습니다, 원글에서 첫 번째 드롭아웃 비율은 정말로 **0.256**입니다(나머지 둘은 0.25). 아마 오타겠지만 원글을
# 그대로 재현합니다. 드롭아웃은 학습 중에만(`training=True`) 작동합니다. 활성화 값 가운데 그 비율만큼을 무작위로
# 0으로 만들고, 남긴 값에는 1 / (1 - rate)를 곱합니다. rate가 0.25이면 1.33을, 0.5이면 2를 곱합니다. 그래서 각
# 활성화 값의 기댓값이 그대로 유지됩니다("역 드롭아웃(inverted dropout)"). 예측할 때는 모든 값을 그대로
# 통과시키며, 되돌려야 할 스케일 조정도 없습니다.

# %% [answer] cell=build_model en=550946532f
def build_model(input_shape=(32, 32, 3), num_classes=10):
    """이름이 "VGG16_Brief"인 새 함수형 keras.Model을 반환합니다. 3x3 'same' ReLU Conv2D(필터 32, 64,
    128개), Dropout(0.256, 0.25, 0.25), 2x2 MaxPooling2D로 된 블록 세 개 뒤에 Flatten, Dense(512, ReLU),
    Dropout(0.5), Dense(num_classes, softmax)가 옵니다. 층 이름은 레슨의 표와 같습니다."""
    ### BEGIN SOLUTION
    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for block, (filters, rate) in enumerate([(32, 0.256), (64, 0.25), (128, 0.25)], 1):
        x = layers.Conv2D(filters, (3, 3), padding="same", activation="relu", name=f"block{block}_conv")(x)
        x = layers.Dropout(rate, name=f"block{block}_dropout")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(512, activation="relu", name="fc")(x)
    x = layers.Dropout(0.5, name="fc_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="VGG16_Brief")
    ### END SOLUTION

# %% [tests] cell=build_model_hidden en=f1c9db8cac
# build_model의 숨겨진 테스트는 노트북을 채점할 때 여기서 실행됩니다.

# %% [markdown] cell=md-09 en=4301eea0fb
# ### 원글의 문제: `output=`
# 원글은 함수를 `model = Model(inputs=img_input, output = x)`로 끝냅니다. 올바른 키워드는 **`outputs`**, 즉
# `inputs`처럼 복수형입니다. 원글이 `Model`을 임포트한 독립 Keras 2는 Keras 1의 표기인 `output=`도 (사용 중단
# 경고와 함께) 받아들였지만, `tf.keras`와 Keras 3는 이를 거부합니다. 아래 셀은 그 줄이 지금 어떻게 되는지 보여
# 줍니다.

# %% [code] cell=code-06 en=7b5c8c81c8
_inputs = keras.Input(shape=(32, 32, 3))
_x = layers.Dense(10, activation="softmax")(layers.Flatten()(_inputs))
try:
    keras.Model(inputs=_inputs, output=_x)  # 원글의 표기
except (TypeError, ValueError) as err:
    print(f"원글의 줄은 실패합니다: {type(err).__name__}: {str(err).split(':')[0]}.")
print("outputs=를 쓰면:", keras.Model(inputs=_inputs, outputs=_x).output_shape)

# %% [markdown] cell=md-10 en=7fb1102de1
# `model.summary()`의 출력은 **Total params: 1,147,466 (4.38 MB)**, 모두 학습 가능(trainable)한 파라미터입니다.
# 원글이 말한 "약 100만 개"의 파라미터이며, 크기는 float32 가중치 하나당 4바이트로 계산한 것입니다.
#
# ## 4. 연습 문제: 모델 컴파일하기
# 모델을 다음과 같이 컴파일하는 `compile_model(model, learning_rate=1e-3)`을 작성하세요.
# - 주어진 학습률을 쓰는 **Adam** 옵티마이저(optimizer): `keras.optimizers.Adam(learning_rate=...)`(원글은 문자열
#   `'Adam'`을 넘기는데, 기본 학습률 0.001을 쓰는 같은 설정입니다. 아주 오래된 코드는 `keras.optimizers.adam()`이나
#   `Adam(lr=...)`이라고 쓰는데, Keras 3에는 더 이상 없습니다)
# - **희소 범주형 교차 엔트로피(sparse categorical cross-entropy)**: 레이블이 원-핫(one-hot) 벡터가 아니라 0-9
#   정수(모양 `(N, 1)`)이고, 모델이 소프트맥스로 끝나므로 출력이 확률입니다.
# - 측정 지표(metric) `"accuracy"`(히스토리에서 그 곡선은 `accuracy`와 `val_accuracy`로 나타납니다. Keras 2.2
#   시절의 글은 `history['acc']`를 읽는데, 이 키는 더 이상 없습니다)
#
# 컴파일한 뒤에는 모델을 반환합니다.

# %% [answer] cell=compile_model en=87bb4c96b7
def compile_model(model, learning_rate=1e-3):
    """``model``을 Adam(learning_rate), 희소 범주형 교차 엔트로피, "accuracy" 지표로 컴파일하고
    모델을 반환합니다."""
    ### BEGIN SOLUTION
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=["accuracy"])
    return model
    ### END SOLUTION

# %% [tests] cell=compile_model_hidden en=6a0d1ab6bc
# compile_model의 숨겨진 테스트는 노트북을 채점할 때 여기서 실행됩니다.

# %% [markdown] cell=md-11 en=2564bace3d
# ## 5. 연습 문제: 학습률 스케줄 `ReduceLROnPlateau`
# 콜백(callback)은 `fit`이 정해진 시점(여기서는 에폭이 끝날 때마다)에 호출하는 객체입니다. `ReduceLROnPlateau`는
# 어떤 값을 지켜보다가 그 값이 `patience` 에폭 동안 나아지지 않으면 학습률에 `factor`를 곱하며, `min_lr` 아래로는
# 내려가지 않습니다. 큰 스텝이 최솟값 주위에서 튀기만 할 때, 작은 스텝은 옵티마이저가 최솟값에 자리 잡도록 돕습니다.
#
# 원글처럼 설정한 `keras.callbacks.ReduceLROnPlateau` 하나가 든 리스트를 반환하는 `make_callbacks()`를 작성하세요.
# `"val_loss"`를 지켜보고, patience는 5 에폭, factor는 0.1, 최소 학습률은 1e-5입니다(`verbose=1`이면 작동할
# 때마다 한 줄을 출력합니다). 이 콜백에는 검증 세트가 필요합니다. 데이터를 나눈 이유가 바로 이것입니다.
#
# Adam의 0.001에서 시작해 factor 0.1, 하한 1e-5라면 내려갈 수 있는 것은 **최대 두 번**입니다:
# 0.001 -> 0.0001 -> 0.00001. 출력에 관한 세부 사항 하나: 학습률은 float32로 저장되므로 두 번째 단계는 1e-5보다
# 아주 조금 큰 값(1.0000000474974514e-05)이 되고, 5 에폭 뒤에 콜백이 세 번째로 "reducing learning rate to 1e-05"를
# 출력할 수 있습니다. 이는 값을 `min_lr`로 맞춰 반올림할 뿐입니다(8번째 자리의 변화). 그 뒤로는 `val_loss`가
# 아무리 오래 정체되어도 더 이상 작동하지 않습니다.

# %% [answer] cell=make_callbacks en=07bb28eba7
def make_callbacks():
    """학습 콜백의 리스트를 반환합니다. val_loss가 5 에폭 동안 나아지지 않으면 학습률을 10으로
    나누되 1e-5 아래로는 내리지 않는 ReduceLROnPlateau 하나입니다."""
    ### BEGIN SOLUTION
    return [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=5, factor=0.1,
                                              min_lr=1e-5, verbose=1)]
    ### END SOLUTION

# %% [tests] cell=make_callbacks_hidden en=edb1a8aba8
# make_callbacks의 숨겨진 테스트는 노트북을 채점할 때 여기서 실행됩니다.

# %% [markdown] cell=md-12 en=58d200c347
# ## 6. 연습 문제: 학습
# `train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256,
# verbose="auto")`를 작성하세요. 이 함수는 훈련 세트로 `epochs` 에폭 동안 배치 크기 `batch_size`로 `model.fit`을
# 호출하면서 `validation_data=(x_val, y_val)`(에폭마다 평가되며, `val_` 곡선이 되고 `ReduceLROnPlateau`가 지켜보는
# 값입니다)과 주어진 `callbacks`를 넘기고, `fit`이 반환하는 `History`를 반환합니다. 원글은 배치 크기 256과 100
# 에폭을 씁니다. `verbose`는 그대로 `fit`에 넘깁니다. 노트북은 `verbose=0`과 함께, 에폭마다 한 줄을 출력하는 콜백을
# 넘깁니다.

# %% [answer] cell=train_model en=62aaab3009
def train_model(model, x_train, y_train, x_val, y_val, epochs, callbacks=(), batch_size=256, verbose="auto"):
    """컴파일된 ``model``을 훈련 세트로 ``epochs`` 에폭 동안 배치 크기 ``batch_size``로 학습합니다.
    에폭마다 (x_val, y_val)로 검증하고 ``callbacks``를 fit에 넘기며, History 객체를 반환합니다."""
    ### BEGIN SOLUTION
    return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                     validation_data=(x_val, y_val), callbacks=list(callbacks), verbose=verbose)
    ### END SOLUTION

# %% [tests] cell=train_model_hidden en=e3d8ab2ec5
# train_model의 숨겨진 테스트는 노트북을 채점할 때 여기서 실행됩니다.

# %% [markdown] cell=md-13 en=887f500b8b
# ## 7. 모델 학습하기
# full 모드는 원글처럼 학습합니다: 50,000장 전체로 100 에폭, 배치 크기 256(Colab T4에서 약 5-10분, 추정치).
# fast 모드는 부분 집합으로 2 에폭만 학습해 전체 파이프라인이 동작한다는 것만 보여 줍니다. Keras 자체의 진행 표시는
# 에폭마다 두 줄(full 모드에서 200줄)을 출력하므로, 이 셀은 `verbose=0`을 넘기고 `EpochLog`(설정 셀에서 정의)를
# 추가합니다. 에폭마다 한 줄에 훈련과 검증의 손실과 정확도, 그 에폭에 걸린 시간(초)과 남은 시간을 보여 줍니다.
# `ReduceLROnPlateau`는 학습률을 낮출 때 한 줄을 덧붙입니다.

# %% [code] cell=code-08 en=381d0882fd
EPOCHS = by_mode(fast=2, full=100)
model = compile_model(build_model())
history = train_model(model, x_train, y_train, x_val, y_val, EPOCHS,
                      callbacks=[*make_callbacks(), EpochLog("VGG16 brief 모델")], batch_size=256, verbose=0)

# %% [markdown] cell=md-14 en=9760a990cb
# ## 8. 따로 떼어 둔 테스트 절반으로 평가하기
# 검증 절반은 학습을 조종했습니다(학습률 스케줄이 그 값을 보았습니다). 그래서 *다른* 절반만이 정직한 최종 점수를
# 줍니다. `evaluate`는 손실과, 컴파일할 때 지정한 정확도를 반환합니다.

# %% [code] cell=code-09 en=5f6b43cb51
test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
print(f"테스트 손실: {test_loss:.4f} | 테스트 정확도: {test_acc * 100:.2f}% (따로 떼어 둔 이미지 {len(x_test)}장)")

# %% [markdown] cell=md-15 en=11f5d7fc89
# ## 9. 학습 곡선
# 원글은 훈련과 검증의 정확도와 손실을 그림 두 개로 그립니다. `plot_history`는 `history.history`(`loss`,
# `accuracy`, `val_loss`, `val_accuracy`)로 둘을 패널 하나씩에 그립니다. 훈련 곡선은 계속 좋아지는데 검증 곡선이
# 정체되거나 올라가면 과적합(overfitting)입니다. 원글은 드롭아웃으로 이를 막으려 합니다.

# %% [code] cell=code-10 en=3ba778a0dd
plot_history(history, title=f"CIFAR-10의 VGG16 brief ({MODE} 모드): 훈련 vs 검증")

# %% [markdown] cell=md-16 en=34a0f68553
# `ReduceLROnPlateau`는 에폭마다 학습률을 히스토리에 `learning_rate`로 기록합니다. full 모드에서는 학습률이 10분의
# 1씩 최대 두 번 내려가는 것을 볼 수 있으며(로그 스케일에서는 같은 크기의 계단입니다), 각각 더 나은 `val_loss`
# 없이 5 에폭이 지난 뒤에 일어납니다(세 번째 메시지가 나올 수도 있지만 학습률을 반올림할 뿐이라 눈에 보이는 계단은
# 없습니다). fast 모드의 2 에폭은 콜백이 작동하기에 너무 짧습니다.

# %% [code] cell=code-11 en=489a0c6f43
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

_lr = history.history.get("learning_rate", [float(model.optimizer.learning_rate)] * EPOCHS)
plt.figure(figsize=(5.5, 3.5))
plt.plot(range(1, len(_lr) + 1), _lr, marker="o")
plt.yscale("log")
plt.gca().xaxis.set_major_locator(MaxNLocator(integer=True))
plt.xlabel("에폭")
plt.ylabel("학습률 (로그 스케일)")
plt.title("ReduceLROnPlateau가 정한 학습률")
plt.grid(alpha=0.3)
plt.show()

# %% [markdown] cell=md-17 en=bd752503c6
# ## 10. 원글 너머: 어떤 클래스끼리 헷갈릴까?
# 혼동 행렬(confusion matrix)은 실제 클래스(행)마다 모델이 각 클래스(열)를 몇 번 예측했는지 셉니다. 대각선이 맞힌
# 것입니다. 그 아래에는 테스트 이미지 몇 장을 예측한 클래스와 함께 보여 줍니다(틀리면 빨간색).

# %% [code] cell=code-12 en=e3b2272eae
y_pred = model.predict(x_test, batch_size=256, verbose=0).argmax(axis=1)
y_true = y_test.reshape(-1)
plot_confusion_matrix(tf.math.confusion_matrix(y_true, y_pred, num_classes=10).numpy(),
                      class_names=CIFAR10_CLASSES, title="CIFAR-10 따로 떼어 둔 테스트 세트: 실제 클래스 vs 예측 클래스")
show_image_grid(x_test, y_true, class_names=CIFAR10_CLASSES, predictions=y_pred, rows=3, cols=8,
                title="따로 떼어 둔 테스트 이미지: 실제 클래스와 예측 클래스 (빨간색 = 오답)")

# %% [markdown] cell=md-18 en=2e1a5beed0
# ## 요약
# - 슬라이싱은 배열을 한 줄로 나눕니다: `x[:n]`, `x[n:]`. 반복문도, 리스트도, 이미지를 한 장씩 복사하는 일도
#   없습니다.
# - 함수형 API: `keras.Input` -> 텐서에 대해 호출한 층들 -> `keras.Model(inputs=..., outputs=...)`.
#   원글의 `output=`은 Keras 3의 키워드가 아닙니다.
# - 파라미터 개수는 모양에서 나옵니다. 합성곱 층 하나당 `k·k·c_in·filters + filters`, Dense 층 하나당
#   `inputs·units + units`입니다. 여기서는 1,147,466개 파라미터의 91 %가 첫 번째 Dense 층에 있습니다.
# - 정수 레이블에는 Adam + 희소 범주형 교차 엔트로피를 씁니다. `ReduceLROnPlateau`는 `val_loss`가 정체되면 학습률을
#   낮춥니다. 테스트 세트와 별개인 검증 세트가 중요한 이유가 바로 이것입니다.
#
# ### full 모드에서 기대할 결과
# - `model.summary()`: Total params 1,147,466 (4.38 MB), trainable 1,147,466, non-trainable 0.
#   층별로는 896 + 18,496 + 73,856 + 1,049,088 + 5,130입니다.
# - 에폭 줄 100개(각 196 배치: 이미지 50,000장, 배치 크기 256)와 `ReduceLROnPlateau`의 줄 최대 세 개: 학습률이
#   내려가는 것은 최대 두 번이고(0.001 -> 0.0001 -> 0.00001), 학습률을 `min_lr`로 반올림할 뿐인 세 번째 메시지가
#   나올 수 있습니다.
# - 따로 떼어 둔 절반에 대한 테스트 정확도: 대략 **73-79 %**. 원글은 본문에 수치를 적지 않았고(곡선과 최종 점수는
#   스크린숏입니다), 코스도 이 모델의 full 실행을 측정하지 않았으므로, 이 범위는 CIFAR-10에서 비슷한 작은 Keras
#   CNN에 대해 발표된 수치로 추정한 것입니다. TensorFlow의 CNN 튜토리얼(합성곱 3개, 드롭아웃 없음, 10 에폭)은
#   "70 % 이상"을 보고합니다. Keras 2 예제 `cifar10_cnn.py`(keras-team/keras, `examples/`: 드롭아웃이 있는 합성곱
#   4개, 데이터 증강(data augmentation)으로 학습)는 25 에폭 뒤 75 %, 50 에폭 뒤 79 %를 보고합니다. 이 모델은
#   드롭아웃은 있지만 데이터 증강은 없으므로 그 둘 사이로 예상합니다.
# - Keras가 보고하는 훈련 정확도는 드롭아웃이 켜진 상태로 측정되므로, 초반에는 검증 정확도보다 *낮을* 수 있습니다.
#   훈련 정확도가 검증 정확도를 넘어선 뒤 `val_loss`가 정체되거나 올라가는데도 계속 오르면 모델이 과적합되고 있는
#   것입니다.
