# %% [markdown] cell=md-01 en=abbccd4a1c
# # 레슨 04 - CIFAR-10에서 배치 정규화를 넣은 완전한 VGG16 (Sequential API)
#
# *「I implemented the VGG16 model in Keras and tried to identify CIFAR10」(Keras로 VGG16 모델을 구현해
# CIFAR10을 식별해 보았다)라는 글을 재현합니다. 이 글은 32x32 크기의 CIFAR-10 이미지를 위해 16층짜리 완전한
# VGG16 - 합성곱 층 13개(각각 뒤에 배치 정규화(Batch Normalization)가 붙습니다)와 유닛이 4096, 4096, 10개인
# 완전 연결 층 3개 - 을 Keras `Sequential` API로 만들고, Adam으로 학습시킨 뒤(배치 64, 20 에폭)
# **훈련 정확도 약 97 %, 검증 정확도 83.5 %**를 보고합니다. 뚜렷한 과적합 사례입니다.*
#
# VGG16은 224x224 크기의 ImageNet 사진과 1000개 클래스를 위해 설계되었습니다. CIFAR-10에서는 다섯 번의 최대
# 풀링이 32x32 이미지를 채널이 512개인 1x1 "픽셀" 하나로 줄이는데, 그 위의 분류기에는 여전히 유닛 4096개짜리
# 층이 두 개 있습니다. 작은 이미지 50,000장에 **파라미터 3,370만 개**입니다. 이 불균형이 이 레슨의
# 주제입니다.
#
# **이 레슨에서 할 일:** 글의 모델을 그대로 만들고 층 하나하나를 확인합니다. `History`와 함께 학습시키고 학습
# 곡선을 읽습니다. 글에 실린 숫자로 과적합을 진단합니다. Keras 3 형식으로 모델을 저장하고 다시 불러옵니다(그리고
# 글의 `.h5` 호출이 왜 더는 동작하지 않는지 봅니다). 그런 다음 데이터 증강(data augmentation)과 학습률
# 스케줄(learning-rate schedule)로 글보다 한 걸음 더 나아갑니다.
#
# **진행 방법:** 먼저 작업량(Workload) 셀과 설정 셀을 실행하세요(Colab에서는 *런타임 > 런타임 유형 변경 >
# GPU*). `# TODO`가 표시된 셀을 모두 채우고(`raise NotImplementedError()` 줄은 지우세요) 그 아래의 검사 셀을
# 실행하세요. 여러분이 보는 검사는 채점의 일부일 뿐입니다. 숨겨진 테스트가 다른 입력으로 여러분의 코드를
# 시험합니다. 다 끝나면 맨 끝의 *제출할 준비가 되었나요?* 셀을 실행하고 안내를 따르세요.
#
# **시간과 작업량.** *full* 모드는 파라미터 3,370만 개짜리 글의 모델을 두 번 학습시킵니다. 먼저 글처럼 Adam으로
# 20 에폭(3절; 글은 Colab GPU에서 에폭당 약 34초를 기록했습니다), 그다음 증강 레시피로 30 에폭(6절)입니다.
# **Colab T4 GPU**에서는 모두 합쳐 **20-35분** 정도 걸립니다(글의 에폭당 34초로부터 저희가 추정한 값입니다.
# GPU에서 자동으로 켜지는 혼합 정밀도(mixed precision) 덕분에 아래쪽 끝에 가까워집니다. T4의 빠른 연산 장치는
# float16 텐서 코어이기 때문입니다). CPU에서 full 모드는 현실적이지 않습니다. 바쁜 2코어 CPU(GPU가 없는 Colab
# 런타임은 코어가 두 개입니다)에서 훈련 이미지 한 장에 약 40 ms가 걸렸으니, 45,000장짜리 에폭 하나에 약 30분이고
# 50 에폭이면 **약 12-25시간**이 걸립니다. GPU 없이 full 모드로 실행하면 설정 셀이 멈추고, 그래도 계속하는
# 방법을 알려 줍니다. 규모를 가늠하기 위한 참고로만 말하면, 데이터센터 GPU(NVIDIA H200)에서 3절의 학습 스텝 한
# 에폭(배치 64, float32)은 Keras 3의 JAX 백엔드(모든 스텝을 XLA로 컴파일)에서 2.2초, PyTorch 백엔드(즉시
# 실행, 컴파일 없음)에서 28.9초가 걸렸습니다. 같은 Keras 모델을 무작위 이미지로 이 코스에서 측정한 값이며,
# TensorFlow 자체는 그때 재지 않았습니다. *fast* 모드(훈련 이미지 64장, 학습 스텝 몇 번)는 어디서든 몇 분이면
# 끝나며, 모든 것이 동작한다는 것만 보여 줍니다. 설정 셀보다 먼저, 바로 아래의 **작업량**(Workload) 셀에서
# 고르세요. full 모드에서 *모두 다시 시작하고 실행*(Restart and run all)을 하면 모든 학습을 다시 하므로(위의
# 20-35분), 제출하기 전 마지막 실행은 fast 모드여도 됩니다(이유는 노트북 끝에 있습니다).

# %% [markdown] cell=md-02 en=4e98abd2b7
# ## 임포트
# 글은 2020년의 독립 `keras` 패키지(Keras 2)에서 임포트합니다. Keras 3도 다시 독립된 패키지이므로
# `import keras`가 맞습니다. 다만 글에서 쓰는 호출 몇 가지가 바뀌었으니, 나올 때마다 짚어 드리겠습니다.

# %% [markdown] cell=md-03 en=e4aab843cf
# ## 1. 데이터: CIFAR-10
# 32x32 픽셀 컬러 이미지 60,000장, 클래스 10개로, 50,000장은 훈련용이고 10,000장은 테스트용입니다.
# `load_cifar10()`(설정 셀에서 정의)은 `keras.datasets.cifar10.load_data()`와 똑같은 것을 반환합니다
# (데이터는 한 번만 내려받습니다).

# %% [code] cell=code-02 en=7c746ca622
(x_train, y_train), (x_test, y_test) = load_cifar10()
print("훈련:", x_train.shape, x_train.dtype, "| 레이블:", y_train.shape, "| 테스트:", x_test.shape)
show_image_grid(x_train, y_train, class_names=CIFAR10_CLASSES, rows=3, cols=8,
                title="CIFAR-10 훈련 이미지와 클래스")

# %% [markdown] cell=md-04 en=d631769d7d
# **테스트 세트가 아닌 검증 세트.** 글은 `validation_data=(x_test, y_test)`를 넘깁니다. 즉 글의 "검증"
# 정확도는 테스트 이미지에서 잰 값이고, 그 값을 보면서 에폭이나 설정을 고르면 테스트 세트는 더 이상 공정한
# 기말시험이 아닙니다. 저희는 *훈련* 이미지의 마지막 5,000장을 검증용으로 떼어 두고, 테스트 세트는 맨 끝에
# 한 번만 씁니다.
#
# fast 모드에서는 아주 작은 부분 집합만 남깁니다. 파라미터 3,300만 개짜리 신경망은 CPU에서 몇 스텝밖에
# 학습하지 못하기 때문입니다. full 모드에서는 글처럼 전체 데이터로 학습합니다.

# %% [code] cell=code-03 en=d28acb2832
N_VAL = by_mode(fast=64, full=5000)
N_TRAIN = by_mode(fast=64, full=len(x_train) - N_VAL)
N_TEST = by_mode(fast=128, full=len(x_test))
x_val, y_val = x_train[-N_VAL:], y_train[-N_VAL:]
x_train, y_train = x_train[:N_TRAIN], y_train[:N_TRAIN]
x_test, y_test = x_test[:N_TEST], y_test[:N_TEST]
print(f"훈련 이미지 {len(x_train)}장, 검증 이미지 {len(x_val)}장, 테스트 이미지 {len(x_test)}장을 사용합니다.")

# %% [markdown] cell=md-05 en=3c948800e0
# 글과 마찬가지로 픽셀 값을 `[0, 1]` 범위로 조정하고, `categorical_crossentropy`에 쓸 수 있도록 레이블을
# 원-핫(one-hot) 벡터로 바꿉니다(정수 레이블과 `sparse_categorical_crossentropy`를 쓰면 원-핫 사본 없이
# 같은 손실을 얻습니다).

# %% [code] cell=code-04 en=9ca147e585
NUM_CLASSES = 10
x_train, x_val, x_test = (a.astype("float32") / 255.0 for a in (x_train, x_val, x_test))
y_train_1h, y_val_1h, y_test_1h = (keras.utils.to_categorical(y, NUM_CLASSES) for y in (y_train, y_val, y_test))
print("이미지:", x_train.shape, x_train.dtype, "| 원-핫 레이블:", y_train_1h.shape)

# %% [markdown] cell=md-06 en=6fed4417c1
# ## 2. 연습 문제: 배치 정규화를 넣은 완전한 VGG16
# 글은 `model.summary()`를 출력하는데, 이 요약에 필요한 정보가 모두 들어 있습니다.
#
# - **BatchNormalization의 위치.** 모든 합성곱 뒤에는 `bn<k>` 층이, 그 뒤에는 이름 없는 `Activation` 층이
#   옵니다. 순서가 **Conv2D(활성화 없음) -> BatchNormalization -> ReLU**이므로, BN은 비선형 함수를 거치기 전의
#   합성곱 출력을 그대로 정규화합니다. BN 층에는 채널마다 숫자가 4개 있습니다(`bn1`: 4 x 64 = 256). 학습되는
#   스케일과 오프셋, 그리고 옵티마이저가 학습시키지 *않는* 이동 평균과 이동 분산입니다. 이동 평균과 이동 분산은
#   훈련 모드로 순전파할 때 갱신됩니다. **학습되지 않는(non-trainable) 파라미터 8,448개**가 바로 여기서
#   나옵니다: 2 x (2x64 + 2x128 + 3x256 + 6x512) = 8,448.
# - **분류기.** `block5_pool` 뒤의 특성 맵은 1x1x512이므로 `flatten`의 값은 512개입니다. 파라미터는 `fc1`이
#   512 x 4096 + 4096 = 2,101,248개, `fc2`가 4096 x 4096 + 4096 = 16,781,312개, `predictions`가
#   4096 x 10 + 10 = 40,970개입니다. 드롭아웃은 어디에도 없습니다.
# - 글은 합성곱의 편향(bias)을 남겨 둡니다(예: `block1_conv1`: 3x3x3x64 + 64 = 1,792). 합성곱 바로 뒤에 BN
#   층이 있으면 편향은 쓸모가 없는데도 말입니다(BN이 어차피 평균을 빼기 때문입니다). 저희도 편향을 남겨 둡니다.
#   그러지 않으면 개수가 맞지 않습니다.
#
# | 블록 | 층 | 출력 | 파라미터 |
# | --- | --- | --- | ---: |
# | 1 | `block1_conv1`, `bn1`, ReLU, `block1_conv2`, `bn2`, ReLU, `block1_pool` (필터 64개) | 16x16x64 | 39,232 |
# | 2 | `block2_conv1`, `bn3`, ReLU, `block2_conv2`, `bn4`, ReLU, `block2_pool` (128) | 8x8x128 | 222,464 |
# | 3 | `block3_conv1..3`과 `bn5..bn7`, ReLU, `block3_pool` (256) | 4x4x256 | 1,478,400 |
# | 4 | `block4_conv1..3`과 `bn8..bn10`, ReLU, `block4_pool` (512) | 2x2x512 | 5,905,920 |
# | 5 | `block5_conv1..3`과 `bn11..bn13`, ReLU, `block5_pool` (512) | 1x1x512 | 7,085,568 |
# | 헤드 | `flatten`, `fc1` (4096, ReLU), `fc2` (4096, ReLU), `predictions` (10, softmax) | 10 | 18,923,530 |
# | **합계** | | | **33,655,114** |
#
# 전체 파라미터의 절반이 넘는 양(56 %)이 512 벡터 하나를 읽는 4096 유닛짜리 층 두 개에 들어 있습니다. 실제로
# '보는' 일을 하는 합성곱 층들은 절반도 갖고 있지 않습니다.
#
# `build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10)`을 작성하세요. 호출할 때마다 **새로운**
# `keras.Sequential`을 반환해야 합니다. `keras.Input(shape=input_shape)`으로 시작한 다음, 위의 순서대로 글과
# 같은 이름을 붙여 층을 추가하세요. 모든 합성곱은 3x3, 스트라이드 1, `padding="same"`이며 자체 활성화 함수는
# 없습니다. 모든 풀링은 2x2, 스트라이드 2, `padding="same"`입니다. 각 BatchNormalization 뒤의 ReLU는 별도의
# 층입니다. 글처럼 `layers.Activation("relu")`을 써도 되고 `layers.ReLU()`를 써도 됩니다(검사는 둘 다
# 받아들입니다). 세 완전 연결 층은 활성화 함수를 인자로 받고(`activation="relu"`, `predictions`는
# `"softmax"`), `predictions`에는 `dtype="float32"`도 줍니다(이유는 검사 아래에서 설명합니다). 한 블록의
# 층들을 중첩된 `keras.Sequential`이나 직접 만든 작은 층 클래스로 묶어도 됩니다. 검사는 그 안의 층들을 실행되는
# 순서대로 봅니다. 글은 첫 `Conv2D`에 `input_shape=`를 넘기지만, Keras 3에서는 그 대신 `Input` 객체를 써야
# 합니다.

# %% [answer] cell=build_vgg16_bn en=2e4b048da4
def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10):
    """글과 같이 BatchNormalization을 넣은 VGG16을 새로운 keras.Sequential로 반환합니다. 3x3
    'same' 합성곱으로 된 블록 다섯 개(필터 64, 64 | 128, 128 | 256 x 3 | 512 x 3 | 512 x 3개)로,
    각 합성곱 뒤에는 BatchNormalization과 ReLU Activation이 오고, 각 블록은 2x2 최대 풀링(스트라이드
    2, padding 'same')으로 끝납니다. 그다음 Flatten, Dense(4096, ReLU) 'fc1', Dense(4096, ReLU)
    'fc2', Dense(num_classes, softmax) 'predictions'가 옵니다. 층 이름은 글과 같습니다:
    block<b>_conv<i>, bn1..bn13, block<b>_pool, flatten, fc1, fc2, predictions."""
    ### BEGIN SOLUTION
    # 층들을 리스트 하나에 모아 keras.Sequential을 한 번에 만듭니다. Input 뒤의 model.add는 매번 그때까지의
    # 모델을 다시 만들고, 48번이면 층 자체보다 더 많은 시간이 듭니다.
    stack, bn = [keras.Input(shape=input_shape)], 0
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
        for conv in range(1, convs + 1):
            bn += 1
            stack += [layers.Conv2D(filters, (3, 3), strides=(1, 1), padding="same", name=f"block{block}_conv{conv}"),
                      layers.BatchNormalization(name=f"bn{bn}"),
                      layers.Activation("relu")]
        stack.append(layers.MaxPooling2D((2, 2), strides=(2, 2), padding="same", name=f"block{block}_pool"))
    stack += [layers.Flatten(name="flatten"),
              layers.Dense(4096, activation="relu", name="fc1"),
              layers.Dense(4096, activation="relu", name="fc2"),
              # dtype="float32": 혼합 정밀도(GPU)에서도 확률은 float32로 유지됩니다.
              layers.Dense(num_classes, activation="softmax", name="predictions", dtype="float32")]
    return keras.Sequential(stack, name="vgg16_bn")
    ### END SOLUTION

# %% [tests] cell=build_vgg16_bn_hidden en=c39e3886fd
# 노트북을 채점할 때 build_vgg16_bn의 숨겨진 테스트가 여기서 실행됩니다.

# %% [markdown] cell=md-07 en=f23f9020f4
# Keras가 출력한 여러분의 모델입니다. 세 합계를 글과 비교해 보세요: 전체 33,655,114개, 학습되는 파라미터
# 33,646,666개, 학습되지 않는 파라미터 8,448개. (Keras 3은 가중치가 차지하는 메모리도 출력합니다: float32로
# 128 MB.)

# %% [markdown] cell=md-08 en=757ea74270
# full 모드로 GPU에서 실행하면 `training_speedups()`(설정 셀)가 이 모델을 **혼합 정밀도**(float16 연산,
# float32 가중치; `mixed_float16` 모델이면 Keras의 `compile`이 손실 스케일링(loss scaling)을 알아서
# 추가합니다)와 **XLA**(`jit_compile=True`)로 학습시킵니다. 둘 다 아래에 출력되며, CPU와 fast 모드에서는 둘 다
# 꺼져 있습니다. `build_vgg16_bn`에서 `predictions`에 `dtype="float32"`를 주는 이유가 이것입니다. 소프트맥스와
# 손실을 float32로 계산해야, float16의 성긴 눈금 때문에 작은 확률이 0으로 반올림되는 일이 없습니다.

# %% [markdown] cell=md-09 en=57a4a9b4f1
# ## 3. 글처럼 History와 함께 학습하기
# 글은 `keras.optimizers.adam()`으로 컴파일합니다. 이 소문자 함수는 이제 없습니다. 옵티마이저(optimizer)는
# 클래스 `keras.optimizers.Adam`입니다(기본 학습률 0.001). full 모드에서는 배치 64, 20 에폭이고, fast 모드는
# 64장으로 1 에폭, 즉 스텝 한 번만 실행합니다. 파이프라인이 동작함을 증명하기에는 충분하지만 무언가를 배우기에는
# 턱없이 부족합니다.
#
# `model.fit`은 `History`를 반환하며, 그 `.history` 딕셔너리에는 지표(metric)마다 리스트가 하나씩 들어
# 있습니다. 글은 `history.history['acc']`를 읽지만, Keras 3에서 키는 지표의 이름인 `'accuracy'`(그리고
# `'val_accuracy'`)입니다. 에폭마다 한 줄이 출력됩니다(`EpochLog`, 설정 셀에서 정의): 손실, 정확도, 각각의
# 검증 값, 그 에폭에 걸린 시간과 남은 시간입니다.

# %% [code] cell=code-06 en=6a831413d3
BATCH_SIZE = 64
EPOCHS = by_mode(fast=1, full=20)
model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy", metrics=["accuracy"],
              jit_compile=SPEED.jit_compile)
history = model.fit(x_train, y_train_1h, batch_size=BATCH_SIZE, epochs=EPOCHS,
                    validation_data=(x_val, y_val_1h), verbose=0, callbacks=[EpochLog("글과 같은 Adam")])
print("history 키:", sorted(history.history))
print({k: round(v[-1], 4) for k, v in history.history.items()})

# %% [code] cell=code-07 en=76ddb49e3f
plot_history(history, title=f"CIFAR-10에서 VGG16-BN, Adam, 배치 {BATCH_SIZE} ({MODE} 모드)")

# %% [markdown] cell=md-10 en=92c9980cf1
# 테스트 세트는 맨 끝에 한 번만 씁니다:

# %% [code] cell=code-08 en=76117aa28b
test_loss, test_acc = model.evaluate(x_test, y_test_1h, batch_size=256, verbose=0)
print(f"이미지 {len(x_test)}장에서 테스트 정확도 {test_acc:.2%} (손실 {test_loss:.4f})"
      + (" - fast 모드: 아주 작은 데이터로 몇 스텝만 학습했으므로 이 숫자는 아무 의미가 없습니다." if FAST else "."))

# %% [markdown] cell=md-11 en=ec09e30825
# ## 4. 글에 실린 숫자로 보는 과적합
# fast 모드로는 20 에폭이 어떤 결과를 내는지 볼 수 없으므로, 글이 기록한 숫자를 가져왔습니다(글의 "검증"은
# CIFAR-10 테스트 세트입니다). 의사가 진료 차트를 읽듯이 읽어 보세요.
#
# - **훈련 정확도는 96.9 %까지 꾸준히 오릅니다**(손실 0.0986). 신경망이 이미지 50,000장을 거의 외울 수
#   있다는 뜻입니다.
# - **검증 정확도는 9 에폭에 80.6 %에 이른 뒤로는 거의 나아지지 않습니다.** 73.8 %와 83.5 % 사이를
#   오르내리며, 마지막 83.5 %는 가장 좋았던 에폭일 뿐 안정된 정체 구간이 아닙니다.
# - **검증 손실은 12 에폭에서 가장 낮고(0.625) 그 뒤로는 올라가는데**(20 에폭에 0.72), 훈련 손실은 계속
#   내려갑니다. 모델이 처음 보는 이미지에 대해 *지나치게 확신하게* 되는 것입니다. 훈련 정확도와 검증 정확도
#   사이의 13 %포인트 차이, 그리고 서로 멀어지는 손실이 과적합(overfitting)의 전형적인 징후입니다.
#
# 글은 해결책으로 드롭아웃, L2 규제, 튜닝을 제안합니다. 글의 요약은 입력이 "너무 작다"고 추측하기도 하지만,
# 더 분명한 이유는 데이터에 비해 너무 큰 용량입니다. 파라미터가 3,370만 개이고 그중 1,890만 개가 512 벡터
# 하나를 입력받는 헤드에 있으며, 증강도 없어서 모델은 에폭마다 똑같은 이미지 50,000장을 봅니다. 6절이 바로 이
# 문제를 공략합니다.

# %% [code] cell=code-09 en=532b80072e
POST_HISTORY = {  # 글에 출력된 에폭별 숫자(20 에폭, Adam, 배치 64)
    "loss": [2.0505, 1.5810, 1.2352, 0.9415, 0.7780, 0.6525, 0.5637, 0.4869, 0.4268, 0.3710,
             0.3498, 0.2751, 0.2388, 0.2127, 0.1790, 0.1559, 0.1361, 0.1272, 0.1130, 0.0986],
    "accuracy": [0.1912, 0.3763, 0.5354, 0.6714, 0.7347, 0.7803, 0.8129, 0.8405, 0.8594, 0.8785,
                 0.8871, 0.9113, 0.9225, 0.9323, 0.9421, 0.9509, 0.9570, 0.9606, 0.9647, 0.9689],
    "val_loss": [2.1730, 1.8167, 1.4491, 1.1408, 0.8930, 0.9603, 0.9188, 1.0963, 0.6283, 0.6944,
                 0.6534, 0.6253, 1.1404, 0.9577, 0.7820, 0.7138, 0.8909, 0.7006, 0.7523, 0.7233],
    "val_accuracy": [0.2345, 0.3522, 0.5108, 0.6202, 0.6974, 0.6942, 0.7184, 0.7069, 0.8064, 0.7826,
                     0.8024, 0.8163, 0.7384, 0.7503, 0.7915, 0.8223, 0.7814, 0.8246, 0.8177, 0.8350],
}
best = int(np.argmin(POST_HISTORY["val_loss"]))
gap = POST_HISTORY["accuracy"][-1] - POST_HISTORY["val_accuracy"][-1]
print(f"가장 낮은 검증 손실: {best + 1} 에폭에서 {POST_HISTORY['val_loss'][best]:.4f}; "
      f"마지막 훈련/검증 정확도 차이: {gap:.1%}")
plot_history(POST_HISTORY, title="글의 20 에폭: 훈련은 계속 좋아지지만 검증은 그렇지 않습니다")

# %% [markdown] cell=md-12 en=e768cc7f4a
# ## 5. 연습 문제: Keras 3 방식으로 저장하고 다시 불러오기
# 글은 다음 코드로 끝납니다.
#
# ```python
# model.save('cifar10-CNN.h5')
# model.save_weights('cifar10-CNN-weights.h5')
# ```
#
# Keras 3에서 두 번째 줄은 **`ValueError`를 일으킵니다**. 가중치만 담는 파일은 이름이 `.weights.h5`로 끝나야
# 합니다. 첫 번째 줄은 여전히 실행되지만 *레거시*(legacy) HDF5 형식으로 저장하며(Keras가 그렇다는 경고를
# 로그에 남깁니다) 오래된 코드를 위해서만 남아 있습니다. 기본 형식은 `.keras` 파일로, 아키텍처와 가중치와
# 옵티마이저 상태를 담은 zip 파일입니다. 학습을 이어 가는 데 필요한 것이 모두 들어 있습니다. 다음 셀에서 작은
# 모델로 두 가지를 모두 보여 드립니다.
#
# `save_and_reload(model, folder)`를 작성하세요.
# 1. 모델 전체를 `folder/model.keras`로(`model.save`), 가중치를 `folder/model.weights.h5`로
#    (`model.save_weights`) 저장합니다. 경로는 `os.path.join`으로 만드세요.
# 2. `.keras` 파일을 `keras.models.load_model`로 불러옵니다(저장된 그대로 컴파일된 상태로 불러옵니다. 다시
#    불러온 모델은 옵티마이저 상태를 간직하고 있어 학습을 이어 갈 수 있습니다).
# 3. `keras.models.clone_model(model)`로 아키텍처의 새 사본(새 층, 새로 초기화된 가중치)을 만들고, 거기에
#    `load_weights`로 `.weights.h5` 파일을 불러옵니다.
# 4. `(reloaded, restored)`를 반환합니다.
#
# 가중치 파일은 아키텍처가 같은 모델에만 맞습니다. 3단계에서 사본이 필요한 이유가 이것입니다.

# %% [code] cell=code-10 en=266fd78d30
_tiny = keras.Sequential([keras.Input((4,)), layers.Dense(2, name="dense")])
with tempfile.TemporaryDirectory() as folder:
    try:
        _tiny.save_weights(os.path.join(folder, "cifar10-CNN-weights.h5"))
    except ValueError as err:
        print("save_weights('...h5') ->", type(err).__name__ + ":", str(err)[:110])
    _tiny.save(os.path.join(folder, "cifar10-CNN.h5"))   # 레거시 형식: 경고와 함께 동작합니다
    print("save('...h5')가 쓴 파일:", sorted(os.listdir(folder)), "(레거시 HDF5입니다. .keras를 쓰세요)")

# %% [answer] cell=save_and_reload en=96e9d70501
def save_and_reload(model, folder):
    """``model``을 ``folder`` 안에 Keras 3의 두 형식으로 저장합니다: 모델 전체는 ``model.keras``로,
    가중치만 ``model.weights.h5``로. 그런 다음 다시 불러옵니다: ``.keras`` 파일은
    ``keras.models.load_model``로 불러오고, 가중치는 아키텍처의 새 사본(``keras.models.clone_model``)에
    불러옵니다. ``(reloaded, restored)``를 반환합니다."""
    ### BEGIN SOLUTION
    model_path = os.path.join(folder, "model.keras")
    weights_path = os.path.join(folder, "model.weights.h5")
    model.save(model_path)
    model.save_weights(weights_path)
    reloaded = keras.models.load_model(model_path)
    restored = keras.models.clone_model(model)
    restored.load_weights(weights_path)
    return reloaded, restored
    ### END SOLUTION

# %% [tests] cell=save_and_reload_hidden en=e5abcc468c
# 노트북을 채점할 때 save_and_reload의 숨겨진 테스트가 여기서 실행됩니다.

# %% [markdown] cell=md-13 en=f23301a10f
# 이제 실전입니다. 학습된 VGG16-BN을 임시 폴더에 저장하고(그래서 아무것도 남지 않습니다), 다시 불러온 두 모델이
# 원래 모델과 정확히 같은 예측을 한다는 것을 증명합니다. 파일 하나가 약 385 MiB입니다. float32 가중치 3,370만
# 개(128 MB)에 더해 가중치마다 Adam의 모멘트 추정값 두 개가 들어가는데, 컴파일된 모델은 옵티마이저 상태도
# 저장하기 때문입니다. fast 모드는 빠른 실행이 800 MB를 쓰지 않도록 그 대신 작은 컴파일된 모델을 저장합니다.

# %% [code] cell=code-11 en=994c17c9f5
if FAST:
    to_save = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(8, 3, name="conv"),
                                layers.BatchNormalization(name="bn"), layers.Activation("relu"),
                                layers.GlobalAveragePooling2D(name="gap"), layers.Dense(10, activation="softmax", name="predictions")],
                               name="small_standin")
    to_save.compile(optimizer="adam", loss="categorical_crossentropy")
    to_save.train_on_batch(x_train[:64], y_train_1h[:64])
else:
    to_save = model
print("저장할 모델:", to_save.name, f"(파라미터 {to_save.count_params():,}개)")
with tempfile.TemporaryDirectory() as folder:
    reloaded, restored = save_and_reload(to_save, folder)
    for name in sorted(os.listdir(folder)):
        print(f"{name}: {os.path.getsize(os.path.join(folder, name)) / 2**20:.0f} MiB")
sample = x_test[:32]
original = to_save.predict(sample, verbose=0)
for name, other in [("model.keras에서 다시 불러온 모델", reloaded), ("가중치를 불러온 복제 모델", restored)]:
    diff = np.abs(other.predict(sample, verbose=0) - original).max()
    print(f"{name}: 예측 확률의 최대 차이 {diff:.2e}")
del reloaded, restored, to_save

# %% [markdown] cell=md-14 en=880c7533f0
# ## 6. 글 너머로: 데이터 증강과 학습률 스케줄
# 글의 모델은 에폭마다 같은 이미지 50,000장을 보고, Adam을 고정된 학습률로 씁니다. CIFAR-10에서 BN을 넣은
# VGG16으로 발표된 결과들은 잘 알려진 다른 레시피를 씁니다.
#
# - **증강**: 각 훈련 이미지를 1/2 확률로 좌우 반전하고, 가장자리에 0을 4픽셀씩 덧댄 뒤 32x32 창을 무작위로
#   잘라 냅니다(최대 4픽셀까지의 무작위 이동).
# - **모멘텀 0.9의 SGD**(여기서는 네스테로프(Nesterov) 변형), 큰 초기 학습률(0.1, 여기서는 0.05),
#   **가중치 감쇠(weight decay) 5e-4**, 배치 128.
# - 학습률을 낮추는 **스케줄**: 계단식 감쇠(정해진 에폭마다 10으로 나눔) 또는 코사인 감쇠(cosine decay)를
#   수백 에폭에 걸쳐 적용합니다.
#
# 잘 알려진 참고 자료로 GitHub 저장소 *kuangliu/pytorch-cifar*가 있습니다. 그 README에는 CIFAR-10 테스트
# 정확도가 **VGG16 92.64 %**로 올라 있으며, 위의 증강과 SGD(모멘텀 0.9, 가중치 감쇠 5e-4), 그리고 0.1에서
# 시작해 150 에폭에 0.01로, 250 에폭에 0.001로 손수 낮춘 학습률로 350 에폭 동안 학습한 결과입니다. 그 VGG16은
# BatchNormalization이 붙은 같은 합성곱 13개를 쓰지만, 헤드는 글의 4096-4096-10이 아니라 512 -> 10 완전 연결
# 층 하나입니다. 글의 83.5 %보다 9 %포인트 높은 값이며, 이 노트북이 약속할 수 없는 수치입니다. Colab 세션은
# 350 에폭을 돌리기에는 너무 짧습니다. 여기서 기본값은 **30 에폭**(T4에서 약 10-20분, 저희 추정)입니다. 테스트
# 세트에서 대략 **88-92 %**를 기대하세요(이 예산에 대한 저희 추정이며 측정값이 아닙니다). 이것만으로도 글보다
# 훨씬 높습니다. 시간이 남으면 `AUG_EPOCHS`를 100 이상으로 올려 참고 자료의 수치에 다가가 보세요.
#
# **가중치 감쇠, 정확히.** 논문들에서(그리고 참고 자료가 쓰는 PyTorch의 `SGD(weight_decay=5e-4)`에서) 가중치
# 감쇠 5e-4는 모든 가중치의 그레이디언트(gradient)에 `5e-4 * w`를 더한다는 뜻입니다. 이는 손실에 더한
# **L2 페널티** `(5e-4 / 2) * sum(w**2)`의 그레이디언트이므로, 감쇠가 나머지 그레이디언트와 똑같이 모멘텀을
# 거칩니다. Keras의 `SGD(weight_decay=...)`(그리고 `AdamW`)는 다른 것, 곧 *분리된*(decoupled) 감쇠입니다
# (Loshchilov & Hutter, 2019). Keras는 매 스텝 업데이트 **전에** 각 가중치에 `1 - learning_rate * weight_decay`를
# 곱한 다음, 손실의 그레이디언트만으로 계산한 모멘텀 업데이트를 적용합니다. 감쇠는 모멘텀에 전혀 들어가지
# 않습니다. 모멘텀이 0.9이면 그레이디언트 항 하나가 약 1 / (1 - 0.9) = 10 스텝 동안 이어지므로, 같은 숫자라도
# L2 방식이 약 10배 강하게 감쇠합니다. 같은 5e-4라도 같은 규제가 아닌 것입니다. 저희는 논문을 따릅니다. 모든
# 합성곱 커널과 완전 연결 층 커널에 `L2(2.5e-4)` 규제를 걸고(아래의 `add_l2_penalty`), 평범한 모멘텀 SGD를
# 씁니다.
#
# ### 연습 문제: 증강기
# 가장 먼저 떠오르는 Keras 버전, 즉 `ZeroPadding2D(4)` 다음에 `RandomCrop(32, 32)`를 두는 방법에는 Keras 3에서
# 문제가 두 가지 있습니다. `RandomCrop`은 배치 전체에 대해 자를 위치를 **하나만** 뽑고, 추론 때는 다시 잘라
# 주지 않으므로 모델이 테스트 때 40x40 이미지를 보게 됩니다. 빈 곳을 0으로 채우는 최대 4픽셀의 무작위
# **이동**(translation)은 같은 증강을 이미지마다 따로 뽑아 주며, 추론 때는 항등 함수입니다.
#
# `layers.RandomFlip("horizontal")`과 `layers.RandomTranslation(f, f, fill_mode="constant",
# interpolation="nearest")`로 이루어진 `keras.Sequential`을 반환하는 `make_augmenter(image_size=32, pad=4)`를
# 작성하세요. 여기서 `f = pad / image_size`입니다(이미지 크기에 대한 비율입니다. "nearest"는 흐려지지 않도록
# 픽셀 단위로만 이동시킵니다). 좌우 반전만 합니다. 거꾸로 뒤집힌 배는 배가 아니니까요.
#
# 이미지 하나로 서로 다른 버전을 몇 가지나 만들 수 있을까요? -4에서 +4 픽셀까지의 이동은 축마다 9가지이므로
# 위치는 9 x 9 = 81가지(덧댄 40x40 이미지에서 잘라 낼 수 있는 81가지)이고, 각각 반전하거나 하지 않으므로
# **2 x 81 = 162가지 모습**입니다. 검사 다음 셀에서 직접 세어 봅니다.

# %% [answer] cell=make_augmenter en=8f7d68744a
def make_augmenter(image_size=32, pad=4):
    """훈련 모드에서만 각 이미지를 무작위로 좌우 반전하고(RandomFlip 'horizontal') 각 방향으로 최대
    ``pad`` 픽셀까지 이동시키며 빈 곳을 0으로 채우는 keras.Sequential을 반환합니다. CIFAR-10
    레시피의 "4픽셀 덧대고 32x32 창을 무작위로 잘라 내기"를 RandomTranslation(pad / image_size,
    pad / image_size, fill_mode='constant', interpolation='nearest')로 구현합니다. 추론 때는 입력을
    그대로 반환해야 합니다."""
    ### BEGIN SOLUTION
    factor = pad / image_size
    return keras.Sequential([
        layers.RandomFlip("horizontal"),
        layers.RandomTranslation(factor, factor, fill_mode="constant", fill_value=0.0,
                                 interpolation="nearest"),
    ], name="augmenter")
    ### END SOLUTION

# %% [tests] cell=make_augmenter_hidden en=88b964690e
# 노트북을 채점할 때 make_augmenter의 숨겨진 테스트가 여기서 실행됩니다.

# %% [markdown] cell=md-15 en=417b21f8fd
# 신경망이 보게 될 모습입니다. 같은 훈련 이미지 8장을 세 번 증강했습니다.

# %% [code] cell=code-12 en=3316f65f77
augmenter = make_augmenter()
views = np.concatenate([x_train[:8]] + [np.asarray(augmenter(x_train[:8], training=True)) for _ in range(3)])
show_image_grid(views, np.tile(y_train[:8].ravel(), 4), class_names=CIFAR10_CLASSES, rows=4, cols=8,
                title="1행: 원본; 2-4행: 같은 이미지를 무작위로 반전하고 이동한 것")

# %% [markdown] cell=md-16 en=030fb7f952
# 162가지 모습을 세어 봅니다. 무작위 이미지 하나(서로 다른 반전이나 이동이 우연히 같아 보이는 일이 없도록 픽셀이
# 무작위입니다)를 10,000번 증강합니다.

# %% [code] cell=code-13 en=0da0143bc2
PAD = 4                                  # make_augmenter의 기본값: -4 ... +4 픽셀 이동
one_image = 0.1 + 0.9 * np.random.default_rng(1).random((1, 32, 32, 1)).astype("float32")
drawn = np.asarray(make_augmenter()(np.repeat(one_image, 10_000, axis=0), training=True))  # 새 증강기: 채널 1개
positions = (2 * PAD + 1) ** 2
print(f"{len(drawn):,}번 뽑은 것 중 서로 다른 모습 {len({v.tobytes() for v in drawn})}가지; "
      f"예상: 반전 2 x 위치 {positions} = {2 * positions}")

# %% [markdown] cell=md-17 en=013bffb6ca
# ### 학습률 스케줄
# 코사인 감쇠는 학습률을 초기값에서 (거의) 0까지 코사인 파형의 절반을 따라 낮춥니다. 그 전에 짧은 선형
# 워밍업(warm-up)을 두면 큰 학습률로도 안전하게 출발할 수 있습니다. `keras.optimizers.schedules.CosineDecay`는
# 둘 다 해 주며, 에폭이 아니라 옵티마이저 *스텝*(배치)을 셉니다.

# %% [code] cell=code-14 en=45743ef6b1
AUG_EPOCHS = by_mode(fast=1, full=30)    # Colab 세션에 맞는 값입니다. 참고 자료는 350 에폭을 학습했으니 시간이 있으면 올리세요
AUG_BATCH = by_mode(fast=64, full=128)
STEPS_PER_EPOCH = int(np.ceil(len(x_train) / AUG_BATCH))


def make_schedule(total_steps, peak=0.05, warmup_fraction=0.025):
    """처음 몇 스텝 동안 0에서 ``peak``까지 선형으로 워밍업한 다음, 0까지 코사인 감쇠합니다."""
    warmup = max(1, int(total_steps * warmup_fraction))
    return keras.optimizers.schedules.CosineDecay(initial_learning_rate=0.0, warmup_target=peak,
                                                  warmup_steps=warmup, decay_steps=max(1, total_steps - warmup))


schedule = make_schedule(AUG_EPOCHS * STEPS_PER_EPOCH)          # 이번 실행이 학습에 쓰는 스케줄
plot_epochs = 30 if FAST else AUG_EPOCHS                         # fast 모드는 full 모드의 스케줄을 그립니다
plot_batches = int(np.ceil(45000 / 128))                         # full 모드: 이미지 45,000장, 배치 128
full_schedule = make_schedule(plot_epochs * plot_batches)
steps = np.linspace(0, plot_epochs * plot_batches, 200).astype(int)
fig, ax = plt.subplots(figsize=(6.5, 3.2))
ax.plot(steps, [float(full_schedule(int(s))) for s in steps])
ax.set(title=f"워밍업이 있는 코사인 스케줄 (full 모드: {plot_epochs} 에폭 x {plot_batches} 배치)",
       xlabel="옵티마이저 스텝 (배치)", ylabel="학습률")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown] cell=md-18 en=009196b8f6
# ### 레시피대로 학습하기
# 증강기는 `tf.data` 파이프라인 안에서 CPU로 실행되고, 그동안 가속기는 학습을 합니다. 에폭마다 반전과 이동을
# 새로 뽑습니다. 검증 이미지는 증강하지 않습니다. full 모드에서는 이것이 Colab에서 돌려 볼 실행이고, fast
# 모드에서는 파이프라인이 돌아간다는 것만 증명하는 학습 스텝 한 번입니다.

# %% [code] cell=code-15 en=bec57a43ef
def augment(images, labels):
    return augmenter(images, training=True), labels

train_aug = (tf.data.Dataset.from_tensor_slices((x_train, y_train_1h))
             .shuffle(len(x_train), seed=42).batch(AUG_BATCH).map(augment, num_parallel_calls=tf.data.AUTOTUNE)
             .prefetch(tf.data.AUTOTUNE))
def add_l2_penalty(model, weight_decay=5e-4):
    """논문에서와 같은 가중치 감쇠: 모든 Conv2D 커널과 Dense 커널에 L2 페널티
    (weight_decay / 2) * sum(w**2)를 겁니다. 그 그레이디언트는 각 가중치의 그레이디언트에
    weight_decay * w를 더합니다."""
    kernels = [l.kernel for l in leaf_layers(model) if isinstance(l, (layers.Conv2D, layers.Dense))]
    for kernel in kernels:
        kernel.regularizer = keras.regularizers.L2(weight_decay / 2)
    return len(kernels)


with SPEED.policy():
    recipe_model = build_vgg16_bn()
print(f"L2 페널티(가중치 감쇠 5e-4)를 커널 {add_l2_penalty(recipe_model)}개에 적용했습니다")
recipe_model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule, momentum=0.9, nesterov=True),
                     loss="categorical_crossentropy", metrics=["accuracy"],
                     run_eagerly=FAST,  # fast 모드: 그래프를 트레이싱하는 데 스텝 한 번보다 오래 걸립니다
                     jit_compile=SPEED.jit_compile)
if FAST:  # 스텝 한 번으로 파이프라인, 스케줄, 옵티마이저가 서로 맞물리는지 증명합니다
    recipe_history = recipe_model.fit(train_aug, epochs=1, steps_per_epoch=1, shuffle=False, verbose=0)
    print("fast 모드: 학습 스텝 1번 완료, 손실", round(recipe_history.history["loss"][-1], 4),
          "- 여기서는 검증 점수도 테스트 점수도 없습니다. 이 점수들을 보려면 GPU에서 full 모드로 노트북을 실행하세요.")
else:
    recipe_history = recipe_model.fit(train_aug, epochs=AUG_EPOCHS, validation_data=(x_val, y_val_1h),
                                      shuffle=False,  # train_aug가 스스로 섞습니다
                                      verbose=0, callbacks=[EpochLog("레시피")])
    recipe_test_acc = recipe_model.evaluate(x_test, y_test_1h, batch_size=256, verbose=0)[1]
    print(f"레시피: {AUG_EPOCHS} 에폭 후 테스트 정확도 {recipe_test_acc:.2%} | 글: 83.5 %")
    plot_history(recipe_history, title=f"증강 + SGD/코사인 스케줄을 쓴 VGG16-BN ({AUG_EPOCHS} 에폭)")

# %% [markdown] cell=md-19 en=ce092d573f
# full 모드에서 살펴볼 점: 증강을 하면 훈련 정확도가 글보다 천천히 오르고(에폭마다 모든 이미지를 반전·이동된
# 162가지 모습 가운데 새로 뽑은 하나로 보여 주므로, 신경망이 고정된 사진 45,000장을 그냥 외울 수 없습니다),
# 검증 곡선이 훈련 곡선에 훨씬 가깝게 붙어 있습니다. 최종 개선의 대부분은 학습률이 작은 마지막 에폭들에서
# 일어납니다. 더 해 볼 만한 것: 더 작은 헤드(위의 참고 자료는 512 -> 10 층 하나를 쓰고, 다른 구현들은 전역
# 평균 풀링(global average pooling)을 씁니다), 그리고 완전 연결 층 앞의 드롭아웃. (GPU에서는 혼합 정밀도와
# XLA가 이미 켜져 있습니다. 2절을 보세요.)
#
# ## 요약
# - 글의 VGG16은 다섯 블록에 걸쳐 Conv -> BN -> ReLU를 열세 번 거친 다음 4096-4096-10으로 이어집니다.
#   파라미터는 33,655,114개이고, 그중 8,448개(BN의 이동 평균과 이동 분산)는 옵티마이저가 학습시키지 않습니다.
# - `fit`은 `History`를 반환합니다. 훈련 곡선과 검증 곡선을 비교하고, 모델 선택에는 테스트 세트를 쓰지 마세요.
#   글의 "검증"은 테스트 세트였습니다.
# - Keras 3은 모델을 `.keras`로, 가중치를 `.weights.h5`로 저장합니다. `save_weights('x.h5')`는 실패하고
#   `save('x.h5')`는 레거시입니다.
# - 증강(반전 + 이동: 이미지마다 162가지 모습), 그리고 모멘텀 SGD, 가중치 감쇠(논문처럼 L2 페널티로 - 매
#   업데이트 전에 모멘텀 밖에서 가중치를 줄이는 Keras의 분리된 `weight_decay=`가 아니라), 줄어드는 학습률이
#   CIFAR-10에서 발표된 VGG16-BN 결과들이 기대는 요소입니다(kuangliu/pytorch-cifar 참고 자료에서 350 에폭 후
#   92.64 %).
#
# ## full 모드에서 예상되는 결과
# - `build_vgg16_bn()`의 `model.summary()`는 **Total params: 33,655,114 (128.38 MB), Trainable
#   params: 33,646,666 (128.35 MB), Non-trainable params: 8,448 (33.00 KB)**를 출력합니다. 글의 세 숫자와
#   같습니다.
# - 3절(글의 Adam 20 에폭): 글은 Colab GPU에서 에폭당 약 34초를 기록했고, 훈련 정확도 96.9 % / 검증 정확도
#   83.5 %로 끝났습니다. 같은 양상을 기대하세요. 5 에폭 무렵부터 훈련 정확도가 검증 정확도보다 훨씬 높고,
#   마지막에는 훈련 정확도가 90 %대 중반이며, 최종 검증 정확도와 테스트 정확도는 대략 **73-84 %** 사이 어디든
#   될 수 있습니다. 글의 검증 정확도는 마지막 8 에폭 동안 73.8 %와 83.5 % 사이를 오르내렸습니다(출처: 글의
#   로그; 저희 검증 세트는 떼어 둔 훈련 이미지 5,000장이고, 글의 검증 세트는 테스트 세트였습니다).
# - 6절(레시피, 30 에폭): 검증 정확도와 테스트 정확도는 약 **88-92 %**(저희 추정이며 측정값이 아닙니다. 참고
#   자료는 350 에폭 후 92.64 %에 도달했습니다)이고, 훈련 곡선과 검증 곡선 사이의 차이가 훨씬 작습니다.
#
# 아래 셀은 이번 실행에 걸린 시간을 출력합니다.

# %% [code] cell=code-16 en=b56f868e48
print(f"{MODE} 모드: 이 노트북은 설정 셀 이후 {time.time() - NOTEBOOK_STARTED:.0f}초 동안 실행되었습니다.")
