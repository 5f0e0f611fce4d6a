# %% [markdown] cell=md-01 en=db97db2724
# # 03강 - CIFAR-10을 분류하는 작은 CNN, 그리고 진짜 앙상블
#
# *글 "Cifar10 이미지 분류"(영문 설명 "Image classification with Cifar10")를 재현합니다. 합성곱 층(convolution
# layer) 4개와 완전 연결 층(fully connected layer) 5개로 이루어진 Keras 합성곱 신경망(CNN, **파라미터
# 132,435개**)을 배치 크기 100, Adam(0.001)으로 15 에폭 학습하고, 이를 네 번 "앙상블"합니다. 글은 마지막
# 모델의 테스트 정확도로 **66 %**, 앙상블의 정확도로 **70.06 %**를 보고합니다.*
#
# **앙상블(ensemble)**은 여러 모델을 서로 독립적으로 학습시키고 그 예측을 평균합니다. 멤버마다 저지르는 실수가
# 다르므로(무작위 초기 가중치가 다르고, 데이터를 섞는 순서도 다릅니다) 평균은 보통 평범한 멤버 하나보다
# 낫습니다. 글의 아이디어는 옳지만 코드에 버그 두 개가 숨어 있습니다. 이 레슨에서는 모델을 그대로 재현하고,
# 두 버그를 모두 고치고, 각 버그의 증거를 보여 줍니다.
#
# **할 일:** 픽셀 값을 스케일링합니다(버그 1). 글과 똑같은 구조를 만드는 모델 팩토리(factory) 함수를
# 작성합니다. *독립적인* 멤버들을 학습시킵니다(버그 2). 멤버들의 softmax 출력을 평균하고 앙상블을 각 멤버와
# 비교합니다. 모든 멤버의 학습을 TensorBoard에 기록합니다. 테스트 이미지 10장과 그 예측 클래스를 살펴봅니다.
#
# **진행 방법:** 먼저 작업량(Workload) 셀과 설정 셀을 실행하세요(Colab에서는 *런타임 > 런타임 유형 변경 >
# GPU*). `# TODO` 표시가 있는 셀을 모두 채우고(`raise NotImplementedError()` 줄은 지우세요) 그 아래의 검사
# 셀을 실행하세요. 여러분이 보는 검사는 채점의 일부일 뿐입니다. 숨겨진 테스트가 다른 입력으로 여러분의 코드를
# 시험합니다. 다 끝나면 마지막의 *제출할 준비가 되었나요?* 셀을 실행하고 안내를 따르세요.
#
# **시간과 작업량.** *full* 모드는 글의 설정 그대로 이미지 50,000장 전체를 사용합니다. 글의 버그 있는
# 루프(4 x 5 에폭, 건너뛰어도 되는 시연)에 이어 15 에폭씩 학습하는 독립 멤버 네 개, 모두 합쳐 작은 모델
# 80 에폭입니다. 모델 크기(이미지 한 장의 순전파에 부동소수점 연산 770만 번)로 추정하면 **Colab T4 GPU에서
# 대략 5-10분**입니다. 2코어 CPU(GPU 없는 Colab 런타임은 2코어입니다)에서는 20-40분쯤 걸립니다. 바쁜 2코어
# 머신에서 이미지 50,000장의 1 에폭에 27초가 걸렸고, 여기에 80 에폭을 곱한 값입니다. 설정 셀은 GPU 없이
# full 모드이면 멈추고, 그래도 계속하는 방법을 알려 줍니다. 규모를 가늠하는 참고로만: 데이터센터 GPU(NVIDIA
# H200)에서 멤버 하나의 학습 스텝 1 에폭(배치 100, float32)은 Keras 3의 JAX 백엔드(모든 스텝을 XLA로
# 컴파일)에서 1.0초, PyTorch 백엔드(즉시 실행, 컴파일하지 않음)에서 5.7초가 걸렸습니다. 같은 Keras 모델을
# 무작위 이미지로 이 코스에서 측정한 값이며, TensorFlow 자체는 그 환경에서 측정하지 않았습니다. *fast*
# 모드(이미지 1,000장, 짧은 3 에폭)는 어디서든 몇 분 안에 끝나지만, 정확도는 실제 값보다 훨씬 낮습니다. 설정
# 셀보다 먼저, 바로 아래의 **작업량(Workload)** 셀에서 고르세요. full 모드에서 *모두 다시 시작하고
# 실행*(Restart and run all)하면 모든 것을 다시 학습하므로, 제출 전 마지막 실행은 fast 모드여도 됩니다(이유는
# 노트북 끝에 있습니다).

# %% [markdown] cell=md-02 en=d357b41514
# ## 라이브러리 임포트

# %% [markdown] cell=md-03 en=2ab45b9fc6
# ## 1. 데이터: CIFAR-10
# 10개 클래스로 나뉜 32x32 픽셀 컬러 이미지 60,000장입니다(학습용 50,000장, 테스트용 10,000장).
# `load_cifar10()`(설정 셀에서 정의)은 `keras.datasets.cifar10.load_data()`와 같은 값을 돌려줍니다(데이터는
# 한 번만 내려받습니다). 레이블은 모양(shape)이 `(N, 1)`인 정수로 주어집니다.

# %% [code] cell=code-02 en=abbe1a1c65
(x_train_raw, y_train), (x_test_raw, y_test) = load_cifar10()
print("훈련:", x_train_raw.shape, x_train_raw.dtype, "| 테스트:", x_test_raw.shape, "| 레이블:", y_train.shape)
show_image_grid(x_train_raw, y_train, class_names=CIFAR10_CLASSES, rows=3, cols=8,
                title="CIFAR-10 학습 이미지와 그 클래스")

# %% [markdown] cell=md-04 en=e1f224d2b1
# fast 모드는 작은 부분 집합(학습 이미지 1,000장, 테스트 이미지 500장)만 남겨 CPU에서도 노트북이 몇 분 안에
# 실행되게 합니다. full 모드는 글처럼 전부 사용합니다.

# %% [code] cell=code-03 en=bbb39fc3e3
N_TRAIN, N_TEST = by_mode(fast=(1000, 500), full=(len(x_train_raw), len(x_test_raw)))
x_train_raw, y_train = x_train_raw[:N_TRAIN], y_train[:N_TRAIN]
x_test_raw, y_test = x_test_raw[:N_TEST], y_test[:N_TEST]
print(f"학습 이미지 {len(x_train_raw)}장과 테스트 이미지 {len(x_test_raw)}장을 사용합니다.")

# %% [markdown] cell=md-05 en=0317824e14
# ## 2. 원본의 문제, 버그 1: 225로 나누기
# 픽셀은 0에서 255 사이의 `uint8`로 저장됩니다. 이를 `[0, 1]`로 스케일링하려고 글은
# `x_train = x_train / 225`라고 썼는데, 255의 오타입니다. 이것이 값의 범위를 어떻게 바꾸는지 보세요:

# %% [code] cell=code-04 en=422101633f
sample = x_train_raw[:2000]              # 값의 범위를 보는 데는 이미지 2,000장이면 충분합니다
post_scaled = sample / 225               # 글이 하는 방식
right_scaled = sample / 255
print(f"/ 225: 값의 범위 {post_scaled.min():.3f} ~ {post_scaled.max():.3f}; "
      f"이미지 {len(sample):,}장의 픽셀 값 중 {np.mean(post_scaled > 1.0):.1%}가 1.0보다 큽니다")
print(f"/ 255: 값의 범위 {right_scaled.min():.3f} ~ {right_scaled.max():.3f}")

fig, ax = plt.subplots(figsize=(7, 3.2))
levels = np.arange(0, 257, 8)            # 막대 하나에 회색 단계 8개씩: 막대에 앨리어싱이 생기지 않게 합니다
ax.hist(right_scaled.ravel(), bins=levels / 255, alpha=0.6, label="x / 255 (올바름)")
ax.hist(post_scaled.ravel(), bins=levels / 225, alpha=0.6, label="x / 225 (글)")
ax.axvline(1.0, color="black", linestyle="--", label="1.0")
ax.set_xlabel("스케일링한 픽셀 값")
ax.set_ylabel("픽셀 값의 개수")
ax.set_title("스케일링 후의 픽셀 값: / 225는 1.0을 넘어섭니다")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown] cell=md-06 en=fae9f7d225
# 신경망은 `[0, 1.133]` 범위의 입력으로도 학습할 수 있습니다. 13 % 스케일 차이일 뿐 재앙은 아닙니다. 하지만
# 이제 데이터는 코드가 말하는 의미를 갖지 않으므로, `[0, 1]`을 가정하는 것은 모두 깨집니다. 글의 마지막 줄
# `plt.imshow(x_test[r])`이 그 예입니다. Matplotlib은 float 이미지를 `[0, 1]`로 잘라 내므로(clip) 225보다 큰
# 색상 값은 모두 최대 밝기로 그려지고, 가장 밝은 부분의 디테일이 사라집니다. 고치는 방법은 그냥 "255라고
# 쓰기"가 아닙니다. 255가 `uint8`이 담을 수 있는 가장 큰 값이기 *때문에* 255로 나누는 것입니다.
#
# ## 3. 연습 문제: 픽셀 스케일링
# `preprocess(images)`를 작성하세요. 이미지를 같은 모양의 NumPy `float32` 배열로, 값이 `[0, 1]`에 들도록
# 돌려줍니다. 모든 픽셀을 `uint8`이 담을 수 있는 가장 큰 값인 255로 나누세요. 주어진 이미지들의 가장 밝은
# 픽셀이 얼마이든 항상 255입니다. (텐서가 아니라 NumPy 배열이어야 합니다. 노트북은 이어서 `x_train.min()`과
# `x_test[pick]`을 사용합니다.)

# %% [answer] cell=preprocess en=d36cea9e73
def preprocess(images):
    """uint8 이미지를 [0, 1] 범위의 float32로 스케일링합니다: 255(가장 큰 픽셀 값)로 나눕니다.
    모양은 바뀌지 않습니다."""
    ### BEGIN SOLUTION
    return np.asarray(images, dtype=np.float32) / np.float32(255.0)
    ### END SOLUTION

# %% [tests] cell=preprocess_hidden en=38907ed034
# preprocess의 숨겨진 테스트는 노트북을 채점할 때 여기에서 실행됩니다.

# %% [code] cell=code-05 en=de951fdd2e
x_train, x_test = preprocess(x_train_raw), preprocess(x_test_raw)
print(f"x_train: {x_train.dtype}, 값의 범위 {x_train.min():.3f} ~ {x_train.max():.3f}")

# %% [markdown] cell=md-07 en=50a2b8254d
# ## 4. 글에서 알아낸 모델 구조
# 글은 모델 요약(summary)을 출력하는데, 그 파라미터 수로 구조가 확정됩니다. 커널이 `k x k`이고 입력 채널이
# `c_in`개, 출력 채널이 `c_out`개인 `Conv2D`의 파라미터는 `k*k*c_in*c_out + c_out`개(가중치, 그리고 필터마다
# 편향 하나)입니다. `Dense` 층은 `n_in*n_out + n_out`개이고, 풀링(pooling), `Flatten`, `Dropout`에는
# 파라미터가 없습니다.
#
# | # | 층 | 출력 모양 | 파라미터 | 계산 |
# | --- | --- | --- | ---: | --- |
# | 1 | Conv2D 15, 4x4, same, ReLU | (32, 32, 15) | 735 | 4·4·3·15 + 15 |
# | 2 | MaxPooling2D 2x2 | (16, 16, 15) | 0 | |
# | 3 | Conv2D 30, 4x4, same, ReLU | (16, 16, 30) | 7,230 | 4·4·15·30 + 30 |
# | 4 | MaxPooling2D 2x2 | (8, 8, 30) | 0 | |
# | 5 | Conv2D 30, 4x4, same, ReLU | (8, 8, 30) | 14,430 | 4·4·30·30 + 30 |
# | 6 | MaxPooling2D 2x2 | (4, 4, 30) | 0 | |
# | 7 | Conv2D 30, 4x4, same, ReLU | (4, 4, 30) | 14,430 | 4·4·30·30 + 30 |
# | 8 | MaxPooling2D 2x2 | (2, 2, 30) | 0 | |
# | 9 | Flatten | (120,) | 0 | 2·2·30 |
# | 10 | Dense 200, ReLU | (200,) | 24,200 | 120·200 + 200 |
# | 11 | Dropout 0.5 | (200,) | 0 | |
# | 12 | Dense 200, ReLU | (200,) | 40,200 | 200·200 + 200 |
# | 13 | Dropout 0.5 | (200,) | 0 | |
# | 14 | Dense 100, ReLU | (100,) | 20,100 | 200·100 + 100 |
# | 15 | Dropout 0.5 | (100,) | 0 | |
# | 16 | Dense 100, ReLU | (100,) | 10,100 | 100·100 + 100 |
# | 17 | Dropout 0.5 | (100,) | 0 | |
# | 18 | Dense 10, softmax | (10,) | 1,010 | 100·10 + 10 |
# | | **합계** | | **132,435** | |
#
# 파라미터 수가 각 선택을 확정하는 방식:
# - **커널과 필터:** 3채널 입력에 필터 15개로 첫 층의 수 735 = 4·4·3·15 + 15를 얻는 방법은 4x4 커널뿐입니다.
#   나머지 세 층의 수도 필터 30개씩이면 그대로 맞아떨어집니다.
# - **패딩과 풀링:** 첫 `Dense`의 파라미터가 24,200 = 120·200 + 200개이므로 `Flatten`은 120 = 2·2·30개의 값을
#   냅니다. 즉 32x32 이미지가 정확히 네 번 절반이 되었습니다(32, 16, 8, 4, 2). 그러려면 `padding="same"`(합성곱이
#   크기를 유지)과 **모든** 합성곱 뒤의 2x2 최대 풀링(max pooling)이 필요합니다. `"valid"` 패딩이면 4x4 커널이
#   매번 3픽셀씩 깎아 내므로(32 -> 29 -> 풀링 14 -> 11 -> 풀링 5 -> 2 -> 풀링 1) 네 번째 합성곱은 아예 들어갈
#   자리가 없습니다.
# - **드롭아웃(dropout):** 파라미터가 없으니 파라미터 수로는 위치를 정할 수 없습니다. 글의 코드는 은닉 `Dense`
#   층 네 개 뒤에 `Dropout(0.5)`를 하나씩 두고, 합성곱 층 뒤와 출력층 뒤에는 두지 않습니다.
# - **초기화 방법(initializer):** 모든 `Conv2D`와 `Dense`에 `glorot_normal`(초기 가중치의 값을 바꿀 뿐,
#   개수는 바꾸지 않습니다).
#
# (`"same"` 패딩에서 4x4 커널에 관한 참고: 짝수 크기 커널에는 가운데 픽셀이 없어서 Keras는 앞쪽에 1픽셀,
# 뒤쪽에 2픽셀을 덧붙입니다. 동작은 하지만, 보통 3x3 커널을 쓰는 이유가 바로 이것입니다.)
#
# ## 5. 연습 문제: 모델 팩토리
# 앙상블에는 *서로 다른* 모델이 여러 개 필요하므로 "그 모델"을 한 번만 만들지 않습니다. 대신 호출할 때마다
# 완전히 새로운 모델을 만들어 돌려주는 함수, 즉 **팩토리(factory)**를 작성합니다. 표의 18개 층을 표의 순서대로
# 갖고 `keras.Input(shape=(32, 32, 3))`에 맞춰 만들어진, 컴파일된 새 Keras 모델을 돌려주는
# `build_model(learning_rate=0.001, dropout_rate=0.5)`를 작성하세요:
# - `keras.Input(shape=(32, 32, 3))`으로 시작하는 `keras.Sequential`이 가장 간단합니다. 함수형 API(`keras.Input`
#   ... `keras.Model(inputs, outputs)`)도 괜찮고, 층을 블록으로 묶어도(예를 들어 블록마다 작은
#   `keras.Sequential` 하나) 표의 순서대로 실행되기만 하면 됩니다.
# - 각 `Conv2D`와 `Dense`에는 `activation=`으로 활성화 함수를 주고(글처럼요. 별도의 `ReLU`나 `Softmax` 층은 표에
#   없는 행이 됩니다) `kernel_initializer="glorot_normal"`을 주세요.
# - `Dropout` 층 네 개는 모두 `dropout_rate`를 씁니다.
# - 호출할 때마다 새 층과 새 무작위 가중치를 만들어야 합니다(호출 사이에 공유하는 층 없음, 고정 시드 없음).
#   앙상블 멤버들은 서로 다른 가중치에서 출발해야 합니다.
# - `keras.optimizers.Adam(learning_rate=learning_rate)`, `loss="sparse_categorical_crossentropy"`,
#   `metrics=["accuracy"]`로 컴파일하세요.
#
# 글은 레이블을 원-핫 인코딩하고(`to_categorical`) `categorical_crossentropy`를 씁니다. *sparse* 손실은 정수
# 레이블에서 곧바로 정확히 같은 값을 계산하므로 원-핫 단계는 건너뜁니다. 또 글은 모델을 `tf.model`에 저장하는데,
# 이는 `tensorflow` 모듈 자체에 속성을 새로 붙이는 것입니다! 평범한 변수에 담는 것이 맞습니다.

# %% [answer] cell=build_model en=0bd27774b7
def build_model(learning_rate=0.001, dropout_rate=0.5):
    """(32, 32, 3) 이미지를 받는 컴파일된 Keras 모델을 새로 만들어 돌려줍니다(keras.Sequential 또는
    함수형 keras.Model). 글과 같이: Conv2D(필터 15/30/30/30개, 4x4, padding='same', ReLU) +
    MaxPooling2D(2) 블록 네 개; Flatten; Dense 200-200-100-100(ReLU), 각각 뒤에 Dropout(dropout_rate);
    Dense(10, softmax). 모든 Conv2D/Dense는 kernel_initializer='glorot_normal'을 씁니다. 파라미터
    132,435개. Adam(learning_rate), sparse categorical cross-entropy, metrics=['accuracy']로 컴파일합니다."""
    ### BEGIN SOLUTION
    model = keras.Sequential([keras.Input(shape=(32, 32, 3))], name="cifar10_cnn")
    for filters in (15, 30, 30, 30):
        model.add(layers.Conv2D(filters, kernel_size=4, padding="same", activation="relu",
                                kernel_initializer="glorot_normal"))
        model.add(layers.MaxPooling2D(pool_size=2))
    model.add(layers.Flatten())
    for units in (200, 200, 100, 100):
        model.add(layers.Dense(units, activation="relu", kernel_initializer="glorot_normal"))
        model.add(layers.Dropout(dropout_rate))
    model.add(layers.Dense(10, activation="softmax", kernel_initializer="glorot_normal"))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
    ### END SOLUTION

# %% [tests] cell=build_model_hidden en=f1c9db8cac
# build_model의 숨겨진 테스트는 노트북을 채점할 때 여기에서 실행됩니다.

# %% [code] cell=code-06 en=ed9f96f0b5
model = build_model()
model.summary()
print(f"count_params() = {model.count_params():,} (글: 132,435)")

# %% [markdown] cell=md-08 en=6a5233c4d5
# ## 6. 원본의 문제, 버그 2: 한 모델을 네 번 append하기
# 글은 모델을 `tf.model`로 한 번 만든 다음, "앙상블"을 이렇게 만듭니다:
#
# ```python
# models = []
# for m in range(num_models):
#     models.append(tf.model)
# ```
#
# `append`는 객체의 복사본이 아니라 *참조*를 저장합니다. 리스트에는 같은 모델이 네 번 들어 있으므로, "각 멤버를"
# 15 에폭씩 학습시킨다는 루프는 실제로는 **한** 모델을 60 에폭 학습시킵니다.
#
# 먼저 이 레슨의 나머지에서 쓸 학습 설정입니다. full 모드에서는 글의 배치 크기와 드롭아웃 비율을 쓰며, fast
# 모드의 더 작은 값은 8절에서 설명합니다.

# %% [code] cell=code-07 en=af3c5c30b4
BATCH_SIZE = by_mode(fast=32, full=100)
DROPOUT_RATE = by_mode(fast=0.2, full=0.5)     # fast 모드: 더 낮은 비율, 8절 참고
print(f"배치 크기 {BATCH_SIZE}, 드롭아웃 비율 {DROPOUT_RATE} ({MODE} 모드)")

# %% [markdown] cell=md-09 en=afb1db961a
# 이제 글의 루프를 ("멤버"마다 15 에폭 대신 5 에폭으로) 실행하고 증거를 모아 봅시다. 이 시연과 그다음 셀은
# **선택 사항**입니다. full 모드에서는 전체 이미지로 4 x 5 에폭을 학습하며(이 레슨 학습 시간의 4분의 1),
# 노트북의 뒷부분은 이 결과를 쓰지 않습니다.

# %% [code] cell=code-08 en=0f209b7c20
BUG_EPOCHS = by_mode(fast=1, full=5)
BUG_N = by_mode(fast=500, full=len(x_train))   # 증거를 보이는 데는 이만큼의 데이터면 충분합니다

the_model = build_model(dropout_rate=DROPOUT_RATE)
post_models = []
for m in range(4):
    post_models.append(the_model)          # 글의 루프
print("models[0] is models[3]:", post_models[0] is post_models[3])
print("리스트에 든 서로 다른 객체의 수:", len({id(m) for m in post_models}))

post_sum = np.zeros((len(x_test), 10))
for i, m in enumerate(post_models):
    m.fit(x_train[:BUG_N], y_train[:BUG_N], epochs=BUG_EPOCHS, batch_size=BATCH_SIZE,
          verbose=0, callbacks=[EpochLog(f"'멤버' {i + 1}")])
    p = m.predict(x_test, verbose=0)
    post_sum += p                          # 글은 각 "멤버"의 예측을 fit 직후에 바로 더합니다
    print(f"'멤버' {i + 1}: 지금까지의 옵티마이저 스텝 {int(m.optimizer.iterations):4d}, "
          f"테스트 정확도 {np.mean(p.argmax(1) == y_test[:, 0]):.3f}")

# %% [markdown] cell=md-10 en=003c021c19
# 스텝 카운터가 계속 늘어납니다. "멤버" 4는 "멤버" 3이 멈춘 곳에서 이어서 학습합니다. 새 모델이 아니라 네 배
# 오래 학습한 한 모델입니다. (`fit`을 호출할 때마다 에폭을 다시 1부터 세기 때문에 에폭 줄만 봐서는 드러나지
# 않습니다.) 이것이 결과에는 어떤 영향을 줄까요? 루프가 끝나면 모든 "멤버"가 곧 마지막 모델 *그 자체*이므로 모두
# 같은 예측을 하고, 이를 평균하면 정확히 그 한 모델이 그대로 나옵니다:

# %% [code] cell=code-09 en=5f17ee0fcb
after = [m.predict(x_test, verbose=0) for m in post_models]
print("네 '멤버'의 예측이 모두 똑같습니다:", all(np.array_equal(after[0], a) for a in after))
print(f"단일 모델 {np.mean(after[0].argmax(1) == y_test[:, 0]):.3f} | 네 '멤버'의 '앙상블' "
      f"{np.mean(np.mean(after, axis=0).argmax(1) == y_test[:, 0]):.3f}")

# %% [markdown] cell=md-11 en=1fc3c0a65f
# 글의 70.06 %는 루프 안에서 만든 *누적 합*, 즉 한 모델이 15, 30, 45, 60 에폭 학습했을 때의 예측을 더한
# 것입니다. 한 번의 학습에서 찍은 스냅숏들을 평균하면 조금 도움이 될 수는 있지만(과적합하는 모델을 부드럽게
# 해 줍니다. 글의 마지막 모델은 학습 정확도 80 %, 테스트 정확도 66 %입니다), 모델 네 개의 앙상블은 아니며,
# 학습에 60 에폭이 들었습니다. "독립적인 모델 네 개"에 대해서는 아무것도 측정되지 않았습니다.
#
# ## 7. 연습 문제: 독립적인 멤버 학습
# `train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0)`를
# 작성하세요. 이 함수는 모델이 아니라 **팩토리**(`build_fn`, 예: `build_model`)를 받습니다. 멤버마다
# `build_fn()`을 호출해 새 모델을 얻고, `epochs`와 `batch_size`(그리고 `verbose`)로 `(x, y)`에 `fit`한 다음
# 모아 두세요. `member_callbacks`가 주어지면, 이는 멤버 인덱스(0, 1, ...)를 받아 그 멤버의 콜백(callback)
# 리스트를 돌려주는 함수입니다. 그 리스트를 `fit(..., callbacks=...)`에 넘기세요. 학습된 모델들의 리스트를
# 돌려주세요.

# %% [answer] cell=train_members en=c4582baab2
def train_members(build_fn, num_models, x, y, epochs, batch_size, member_callbacks=None, verbose=0):
    """서로 독립적인 앙상블 멤버 ``num_models``개를 학습시켜 리스트로 돌려줍니다.

    각 멤버는 ``build_fn()``을 호출해 만든 새 모델이며(따라서 멤버마다 자기 가중치와 옵티마이저를
    가집니다), ``fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose)``로 학습합니다.
    ``member_callbacks``가 주어지면, 이는 멤버 인덱스(0, 1, ...)를 받아 그 멤버의 콜백 리스트(예:
    자기 로그 디렉터리를 가진 TensorBoard 로거)를 돌려주는 함수이며, 그 리스트를 ``fit(callbacks=...)``에
    넘깁니다."""
    ### BEGIN SOLUTION
    members = []
    for i in range(num_models):
        model = build_fn()
        callbacks = member_callbacks(i) if member_callbacks is not None else []
        model.fit(x, y, epochs=epochs, batch_size=batch_size, callbacks=callbacks, verbose=verbose)
        members.append(model)
    return members
    ### END SOLUTION

# %% [tests] cell=train_members_hidden en=3e3e3eb75a
# train_members의 숨겨진 테스트는 노트북을 채점할 때 여기에서 실행됩니다.

# %% [markdown] cell=md-12 en=1eb6d91aa3
# ## 8. TensorBoard 로그와 함께 앙상블 학습하기 (글처럼)
# 글처럼 `keras.callbacks.TensorBoard(log_dir=..., histogram_freq=1)`로 학습을 기록하지만, **멤버마다 로그
# 디렉터리를 하나씩**(`.../member_1`, `.../member_2`, ...) 둡니다. 글은 네 "멤버" 모두에게 콜백 하나와 디렉터리
# 하나를 주었습니다. full 모드에서는 로그가 노트북 옆의 `logs/l03_ensemble/<date-time>/`에 저장되고, fast
# 모드에서는 임시 폴더에 저장됩니다. 이 콜백에는 `tensorboard` 패키지가 필요합니다(Colab에는 있습니다). 패키지가
# 없는 곳에서는 기록 없이 학습하고 그렇다고 알려 줍니다. 각 멤버는 에폭마다 한 줄씩 출력합니다(설정 셀에서
# 정의한 `EpochLog`): 손실과 정확도, 그 에폭에 걸린 시간, 남은 시간입니다.
#
# full 모드는 글의 설정을 씁니다: 멤버 4개, 15 에폭, 배치 100, 이미지 50,000장 전체, `Dropout(0.5)`. fast
# 모드는 모든 것이 동작한다는 것만 보여 주면 됩니다: 이미지 1,000장에 3 에폭, 배치 32, `Dropout(0.2)`. 네 층에
# 0.5 드롭아웃을 쓰면 각 스텝에서 은닉층마다 유닛의 무작위 절반만으로 학습하므로 학습 초반이 느려집니다. 긴
# 학습에서는 과적합이 줄어드는 것으로 그 대가를 돌려받지만, 짧은 3 에폭으로는 감당할 수 없는 대가입니다. 층과
# 132,435개의 파라미터는 그대로이고, 팩토리에 넘기는 비율만 바뀝니다.

# %% [code] cell=code-10 en=04bf576e0f
NUM_MODELS = 4
EPOCHS = by_mode(fast=3, full=15)
HAVE_TENSORBOARD = importlib.util.find_spec("tensorboard") is not None
if FAST:
    LOG_FOLDER = tempfile.TemporaryDirectory(prefix="l03-logs-")  # 커널이 멈추면 지워집니다
    LOG_ROOT = LOG_FOLDER.name
else:
    LOG_ROOT = os.path.join("logs", "l03_ensemble", datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))


def callbacks_for(i):
    """멤버 i는 에폭마다 한 줄을 출력하고, 자기 폴더 LOG_ROOT/member_<i+1>에 로그를 기록합니다."""
    callbacks = [EpochLog(f"멤버 {i + 1}")]
    if HAVE_TENSORBOARD:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=os.path.join(LOG_ROOT, f"member_{i + 1}"),
                                                     histogram_freq=1))
    return callbacks


def member_factory():
    return build_model(dropout_rate=DROPOUT_RATE)


print(f"멤버 {NUM_MODELS}개 x {EPOCHS} 에폭, 배치 {BATCH_SIZE}, 드롭아웃 {DROPOUT_RATE}; TensorBoard 로그: "
      + (LOG_ROOT if HAVE_TENSORBOARD else "꺼짐 (이곳에는 tensorboard 패키지가 설치되어 있지 않습니다)"))
_t = time.perf_counter()
members = train_members(member_factory, NUM_MODELS, x_train, y_train, EPOCHS, BATCH_SIZE,
                        member_callbacks=callbacks_for, verbose=0)
print(f"멤버 {len(members)}개를 {time.perf_counter() - _t:.1f}초 동안 학습했습니다; "
      f"models[0] is models[-1]: {members[0] is members[-1]}")

# %% [code] cell=code-11 en=b0474fb427
fig, ax = plt.subplots(figsize=(7, 3.5))
for i, m in enumerate(members):
    _acc = m.history.history["accuracy"]
    ax.plot(range(1, len(_acc) + 1), _acc, marker="o", label=f"멤버 {i + 1}")
ax.set_xticks(range(1, len(_acc) + 1))
ax.set_xlabel("에폭")
ax.set_ylabel("학습 정확도")
ax.set_title(f"멤버별 학습 정확도 ({MODE} 모드)")
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown] cell=md-13 en=45d74a389c
# ### TensorBoard에서 로그 보기
# **Colab**에서(또는 `tensorboard`가 설치된 Jupyter에서) 코드 셀에 다음을 입력해 실행하세요:
#
# ```
# %load_ext tensorboard
# %tensorboard --logdir logs/l03_ensemble
# ```
#
# 자신의 컴퓨터에서는 터미널에서 `tensorboard --logdir logs/l03_ensemble`을 실행하고 http://localhost:6006 을
# 열어도 됩니다. 멤버마다 별도의 실행(run)으로 나타나므로 곡선을 서로 비교할 수 있습니다. 다음 셀(선택
# 사항)은 Colab에서 TensorBoard를 열어 주고, 다른 곳에서는 실행할 명령을 출력합니다.

# %% [code] cell=code-12 en=c3ddadb1b6
if "google.colab" in sys.modules and HAVE_TENSORBOARD:
    get_ipython().run_line_magic("load_ext", "tensorboard")
    get_ipython().run_line_magic("tensorboard", f"--logdir {LOG_ROOT}")
else:
    print(f"로그를 보려면: tensorboard --logdir {LOG_ROOT}")

# %% [markdown] cell=md-14 en=838f488db7
# ## 9. 연습 문제: 멤버들의 예측 평균하기
# 함수 두 개를 작성하세요:
# - `ensemble_predict(models, x)`: 멤버마다 구한 softmax 출력 `model.predict(x, verbose=0)`의 **평균**. 모양이
#   `(N, n_classes)`이고 각 행의 합이 여전히 1인 NumPy 배열입니다. (글은 예측을 *더합니다*. argmax는 같지만,
#   평균은 여전히 확률입니다.)
# - `accuracy(probabilities, labels)`: 확률이 가장 높은 클래스(`argmax`)가 레이블과 같은 행의 비율을
#   `[0, 1]` 범위의 float(텐서가 아닌 Python 또는 NumPy float)로 돌려줍니다. 레이블의 모양은 `(N,)`일 수도
#   있고 `(N, 1)`일 수도 있습니다.
#
# 확률을 평균하는 것은 다수결 투표와 다릅니다. 확신하는 멤버 하나가 확신이 없는 멤버 둘을 이길 수 있습니다.

# %% [answer] cell=ensemble en=be9dac1244
def ensemble_predict(models, x):
    """멤버들의 softmax 출력을 평균합니다: 확률을 담은 (len(x), n_classes) float 배열
    (각 행의 합은 1). 멤버마다 ``model.predict(x, verbose=0)``을 쓰세요."""
    ### BEGIN SOLUTION
    probabilities = [np.asarray(m.predict(x, verbose=0), dtype=np.float64) for m in models]
    return np.mean(probabilities, axis=0)
    ### END SOLUTION


def accuracy(probabilities, labels):
    """확률이 가장 높은 클래스가 레이블과 같은 행의 비율([0, 1] 범위의 Python float).
    ``labels``는 keras.datasets가 돌려주는 것처럼 모양이 (N,) 또는 (N, 1)인 정수 클래스 번호입니다."""
    ### BEGIN SOLUTION
    predicted = np.argmax(np.asarray(probabilities), axis=1)
    return float(np.mean(predicted == np.asarray(labels).reshape(-1)))
    ### END SOLUTION

# %% [tests] cell=ensemble_hidden en=66df76a69a
# ensemble_predict와 accuracy의 숨겨진 테스트는 노트북을 채점할 때 여기에서 실행됩니다.

# %% [markdown] cell=md-15 en=f980b6a33d
# ## 10. 앙상블과 그 멤버들의 비교
# 각 멤버의 테스트 정확도와 그 평균, 그리고 평균한 앙상블의 테스트 정확도입니다. (full 모드에서 나와야 할
# 값은 노트북 끝에 있습니다.)

# %% [code] cell=code-13 en=8cae5bacbe
member_probs = [m.predict(x_test, verbose=0) for m in members]
member_acc = [accuracy(p, y_test) for p in member_probs]
ensemble_probs = ensemble_predict(members, x_test)
ensemble_acc = accuracy(ensemble_probs, y_test)

print(f"{'model':<12}{'test accuracy':>15}")
for i, acc in enumerate(member_acc):
    print(f"{'member ' + str(i + 1):<12}{acc:>15.2%}")
print(f"{'mean member':<12}{np.mean(member_acc):>15.2%}")
print(f"{'ENSEMBLE':<12}{ensemble_acc:>15.2%}")
print(f"앙상블 - 멤버 평균: {100 * (ensemble_acc - np.mean(member_acc)):+.2f}%p; "
      f"앙상블 - 최고 멤버: {100 * (ensemble_acc - max(member_acc)):+.2f}%p")

# %% [code] cell=code-14 en=fbce00d479
growing = [accuracy(np.mean(member_probs[:k], axis=0), y_test) for k in range(1, NUM_MODELS + 1)]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
names = [f"멤버 {i + 1}" for i in range(NUM_MODELS)] + ["앙상블"]
ax1.bar(names, [100 * a for a in member_acc + [ensemble_acc]], color=["tab:blue"] * NUM_MODELS + ["tab:red"])
ax1.axhline(100 * np.mean(member_acc), color="black", linestyle="--", label="멤버 평균")
ax1.set_xlabel("모델")
ax1.set_ylabel("테스트 정확도 (%)")
ax1.set_title("각 멤버와 평균한 앙상블")
ax1.legend()
ax2.plot(range(1, NUM_MODELS + 1), [100 * a for a in growing], marker="o")
ax2.set_xticks(range(1, NUM_MODELS + 1))
ax2.set_xlabel("평균한 멤버 수")
ax2.set_ylabel("테스트 정확도 (%)")
ax2.set_title("멤버를 늘려 갈 때의 앙상블 정확도")
ax2.grid(alpha=0.3)
fig.suptitle(f"CIFAR-10 앙상블 ({MODE} 모드, 테스트 이미지 {len(x_test)}장)")
fig.tight_layout()
plt.show()

# %% [markdown] cell=md-16 en=2adce212ac
# ## 11. 무작위 테스트 이미지 10장: 실제 클래스와 예측
# 글은 무작위 테스트 이미지 10장의 실제 클래스와 예측 클래스를 출력합니다. 여기서는 그림으로 보여 줍니다(빨간
# 제목은 앙상블이 틀린 것입니다).

# %% [code] cell=code-15 en=cabc98f910
pick = np.random.default_rng(0).choice(len(x_test), size=10, replace=False)
show_image_grid(x_test[pick], y_test[pick], class_names=CIFAR10_CLASSES,
                predictions=ensemble_probs[pick].argmax(axis=1), rows=2, cols=5,
                title="무작위 테스트 이미지 10장: 실제 클래스와 앙상블의 예측")

# %% [code] cell=code-16 en=49ad46b34d
wall, cpu = time.perf_counter() - LESSON_START, time.process_time() - LESSON_CPU_START
print(f"{MODE} 모드: 노트북 실행에 {wall:.0f}초가 걸렸습니다 (이 커널이 쓴 CPU 시간 {cpu:.0f}초)")
print(f"멤버 {', '.join(f'{a:.1%}' for a in member_acc)} | 평균 {np.mean(member_acc):.1%} | "
      f"최고 {max(member_acc):.1%} | 앙상블 {ensemble_acc:.1%}")
print("앙상블 >= 멤버 평균:", ensemble_acc >= np.mean(member_acc),
      "| 앙상블이 최고 멤버보다 나음:", ensemble_acc > max(member_acc))

# %% [markdown] cell=md-17 en=3d6cfc92da
# ## 요약
# - `uint8` 픽셀은 **255**로 나눠 스케일링하세요. 글의 `/ 225`는 225보다 밝은 픽셀을 모두 1.0 위로 밀어 올립니다.
# - 모델 요약의 파라미터 수로 구조를 확정할 수 있습니다. 여기서는 4x4 커널, `"same"` 패딩, 합성곱마다 뒤따르는
#   풀링(Flatten = 2·2·30 = 120), 파라미터 132,435개입니다.
# - `list.append(model)`은 참조를 저장합니다. 한 모델을 네 번 append해도 모델은 하나입니다. 앙상블에는 멤버마다
#   한 번씩 호출하는 **팩토리**가 필요합니다. `models[0] is models[3]`과 옵티마이저의 스텝 카운터로 확인하세요.
# - 멤버들의 softmax 출력을 평균하세요. 앙상블은 보통 평균적인 멤버보다 낫고, 최고 멤버보다 나은 경우도 많습니다.
# - 멤버마다 TensorBoard 로그 디렉터리를 하나씩 두세요. Colab에서는 `%load_ext tensorboard`와
#   `%tensorboard --logdir ...`을 씁니다.
#
# ### full 모드에서 기대할 결과
# - **글의 수치:** 마지막 모델의 테스트 정확도 66 %, "앙상블" 70.06 %. 6절에서 보았듯이 이 "앙상블"은 60 에폭
#   학습한 한 모델이며, 15, 30, 45, 60 에폭 시점의 예측을 더한 것입니다.
# - **버그 시연(6절)**은 데이터와 무관합니다: `models[0] is models[3]`은 `True`이고, 옵티마이저의 스텝
#   카운터는 2,500, 5,000, 7,500, 10,000에 이르며(이미지 50,000장 / 배치 100 x "멤버"당 5 에폭), 네 "멤버"의
#   예측은 모두 같습니다.
# - **15 에폭씩 학습한 독립 멤버 네 개(10절):** 각 멤버의 테스트 정확도는 대략 **58-67 %**이고, 평균한
#   앙상블은 **멤버 평균보다 2-5 %p 높으며**, 최고 멤버보다도 높은 경우가 많습니다. 이 범위는 측정값이 아니라
#   추정치입니다. 글은 15 에폭 모델을 보고하지 않으며(글의 66 %는 60 에폭 뒤의 값입니다), 이 정도의 향상은 작은
#   CNN 몇 개를 평균할 때 흔히 보이는 수준입니다.
# - **fast 모드:** 멤버들이 이미지 1,000장으로 몇 초 동안만 학습하므로 이 정확도에 한참 못 미칩니다. fast
#   모드의 수치는 실제 수치에 대해 아무것도 알려 주지 않습니다.
