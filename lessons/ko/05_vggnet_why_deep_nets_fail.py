# %% [markdown] cell=md-01 en=d904e98daf
# # 05강 - VGGNet, 그리고 평범한 깊은 신경망이 아예 학습하지 못할 수 있는 이유
#
# *글 "12. VGGNet"을 재현합니다. 이 글은 VGGNet을 둘러본 뒤 **배치 정규화(BatchNorm)가 없는** VGG16을
# CIFAR-10으로 학습시킵니다(Dense 4096-4096-10, **파라미터 33,638,218개**, 기본 설정의 Adam, 배치 32,
# 10 에폭, `validation_split=0.2`). 글의 모델은 **모든 에폭에서 손실 2.3026과 약 10 %의 정확도를** 출력했고
# 테스트 세트에서도 마찬가지였습니다. 아무것도 배우지 못한 것인데, 글은 그 이유를 설명하지 않습니다.*
#
# 이 강의에서는 구조를 하나하나 뜯어보고(파라미터 수를 손으로 세어 Keras의 값과 맞춰 봅니다), 2.3026이라는
# 숫자가 무엇을 뜻하는지 설명하고, 적은 계산량으로 실패를 재현하고, 실패하는 *이유*를 층별로 측정한 다음,
# 두 가지 방법으로 고칩니다.
#
# **이번 강의에서 할 일:** Conv2D/Dense 층의 파라미터 수 세기, 224x224와 32x32 입력에 대한 VGG16의 파라미터
# 표 만들기, 3x3 합성곱을 쌓았을 때의 수용 영역(receptive field) 계산하기, 아무것도 배우지 못한 신경망의 손실
# 계산하기, 글의 plain VGG16(배치 정규화가 없는 VGG16)과 배치 정규화를 넣은 VGG16 만들기.
#
# **진행 방법:** 먼저 작업량(Workload) 셀과 설정 셀을 실행하세요(Colab에서는 *런타임 > 런타임 유형 변경 >
# GPU*). `# TODO`가 표시된 셀을 모두 채우고(`raise NotImplementedError()` 줄은 지우세요) 바로 아래의 검사
# 셀을 실행하세요. 여기서 보이는 검사는 점수의 일부일 뿐이고, 숨겨진 테스트가 다른 입력으로 여러분의 코드를
# 시험합니다. 다 마쳤으면 맨 끝의 *제출할 준비가 되었나요?* 셀을 따르세요(제출 전 마지막 실행은 fast 모드여도
# 됩니다).
#
# **시간과 작업량.** *full* 모드는 파라미터 3,360만 개짜리 글의 VGG16을 세 번(실패하는 실행과 두 가지 해결책)
# 학습시킵니다. 각각 이미지 40,000개로 10 에폭이며, 글처럼 float32로 학습합니다. **Colab T4 GPU**에서는 약
# **15-30분**이 걸릴 것으로 예상합니다(이미지 한 장의 순전파 한 번에 드는 모델의 부동소수점 연산 6.6억 회로부터
# 어림한 값이며, 측정값이 아닙니다). 규모를 가늠해 보면, 데이터 센터용 GPU(NVIDIA H200)에서 배치 32, float32로
# 한 에폭의 훈련 스텝이 JAX 백엔드의 Keras 3(모든 스텝을 XLA로 컴파일)에서는 3.6초(plain)와 4.8초(BatchNorm),
# PyTorch 백엔드(즉시 실행, 컴파일하지 않음)에서는 24.7초와 47.0초 걸렸습니다. 같은 Keras 모델을 무작위 이미지로
# 코스에서 측정한 값이며, TensorFlow 자체는 그때 측정하지 않았습니다. CPU에서는 full 모드가 현실적이지 않습니다.
# 글의 실행은 에폭당 1,184-1,435초(약 1초짜리 스텝 1,250개. 코스의 2코어 CPU에서는 훈련 스텝 하나에 1-1.7초)가
# 기록되어 10 에폭에 3.7시간이 걸렸으므로, full 모드의 세 번 실행에는 **약 11시간**이 걸립니다. GPU가 없으면 full
# 모드는 설정 셀에서 멈추고, 그래도 계속하는 방법을 알려 줍니다.
#
# *fast* 모드(이미지 256개, 3 에폭, 같은 16층 신경망의 폭을 좁힌 버전)는 어디서든 1분 정도면 끝납니다. 실패(plain
# 모델의 손실이 `log(10)` = 2.3026 근처에 머물고 예측이 이미지에 거의 좌우되지 않음)와 진단(신호가 층을 지날수록
# 약해짐)은 보여 주지만, 두 해결책은 첫 징후만 보여 줍니다. 배치 정규화 모델의 훈련 손실이 내려가고, He 초기화
# 모델의 예측이 이미지에 따라 달라지기 시작합니다. fast 모드의 정확도는 수백 개 이미지로 잰 것이라 아무 의미가
# 없습니다. 모드는 설정 셀보다 먼저, 바로 아래의 **작업량(Workload)** 셀에서 고르세요.
#
# **full 모드에서 기대되는 출력**(출처는 11절에 있습니다): 글의 모델은 글에서처럼 모든 에폭에서 손실
# 2.302-2.304, 정확도 9-11 %에 머뭅니다. 배치 정규화 모델은 10 에폭 뒤 **약 70-82 %의 테스트 정확도**에
# 이르고, He 초기화와 학습률 1e-4의 Adam을 쓴 plain 모델은 **약 60-80 %에** 이릅니다(코스의 추정치이며 아직
# 측정하지 않았습니다).

# %% [markdown] cell=md-02 en=702632c813
# ## 1. 한 쪽으로 보는 VGGNet
# K. Simonyan과 A. Zisserman의 *Very Deep Convolutional Networks for Large-Scale Image Recognition*
# (ICLR 2015)은 ILSVRC 2014 분류 과제(ImageNet, 1000개 클래스)에서 2위를 차지했습니다. 대회에 제출한
# 7개 신경망의 앙상블은 ILSVRC 테스트 세트에서 **7.3 %의 top-5 오류율**을 기록했는데, 글에서 말하는 "92.7%의
# 상위 5개 테스트 정확도"가 이것입니다. 대회가 끝난 뒤에는 신경망 두 개(구성 D와 E)만으로 만든 앙상블이 테스트
# 세트 오류율을 **6.8 %로** 낮췄습니다(논문의 표 6은 여러 신경망의 결합을 다루고, 표 7은 이 결과들을 다른 참가
# 팀의 결과와 나란히 보여 줍니다). 설계 방식은 다음과 같습니다.
#
# - 입력: 고정 크기 **224x224x3** RGB 크롭. 전처리는 훈련 세트의 **평균 RGB 값을 모든 픽셀에서 빼는 것**뿐입니다.
# - **3x3 합성곱**만 쓰고(한 구성은 1x1도 씀) **스트라이드 1**, 패딩 1이므로 합성곱이 높이와 너비를
#   유지합니다.
# - **최대 풀링 층 5개**(2x2, 스트라이드 2)가 블록마다 하나씩 뒤따릅니다: 224 -> 112 -> 56 -> 28 -> 14 -> 7.
# - 채널 수는 풀링 뒤마다 두 배가 되어 64 -> 128 -> 256 -> 512가 되고, 마지막 블록에서는 512를 유지합니다.
# - 완전 연결 층 세 개: **4096, 4096, 1000**, 그다음 **소프트맥스**. 나머지는 모두 ReLU입니다.
#
# VGG16(논문의 구성 D)은 합성곱 13개 + 완전 연결(Dense) 층 3개 = 가중치 층 16개이고, VGG19는 16 + 3개입니다.
# CIFAR-10에서 글은 이 구조를 그대로 쓰되 32x32 이미지를 넣고(평균을 빼는 대신 [0, 1]로 스케일링), 10개
# 클래스로 끝냅니다.
#
# ## 2. 연습 문제: 파라미터 수를 손으로 세기
# `k`x`k` 윈도, 입력 채널 `c_in`개, 필터 `c_out`개인 `Conv2D` 층은 필터마다 `k*k*c_in` 크기의 가중치 블록
# 하나와 편향 하나를 학습합니다. 입력 `n_in`개에서 유닛 `n_out`개로 가는 `Dense` 층은 `n_in x n_out` 행렬과
# 편향 `n_out`개를 학습합니다. `conv_params(kernel, in_ch, out_ch, bias=True)`와
# `dense_params(n_in, n_out, bias=True)`를 작성하세요(`bias=False`이면 편향은 빼세요). 실수(float)가 아니라
# 정수(Python `int`. NumPy 정수도 됩니다)를 반환하세요.

# %% [answer] cell=param_counts en=b04e8438ec
def conv_params(kernel, in_ch, out_ch, bias=True):
    """정사각형 ``kernel`` x ``kernel`` 윈도를 가진 Conv2D 층의 파라미터 수."""
    ### BEGIN SOLUTION
    return kernel * kernel * in_ch * out_ch + (out_ch if bias else 0)
    ### END SOLUTION


def dense_params(n_in, n_out, bias=True):
    """입력 ``n_in``개에서 유닛 ``n_out``개로 가는 Dense 층의 파라미터 수."""
    ### BEGIN SOLUTION
    return n_in * n_out + (n_out if bias else 0)
    ### END SOLUTION

# %% [tests] cell=param_counts_hidden en=dced48c6ec
# conv_params와 dense_params의 숨겨진 테스트는 노트북을 채점할 때 여기에서 실행됩니다.

# %% [markdown] cell=md-03 en=6d7ac1e622
# ## 3. 연습 문제: VGG16의 파라미터 표
# `vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096)`을 작성하세요. plain VGG16의 층마다 한
# 행씩, 순서대로 `(name, output_shape, params)` 튜플을 담아 반환합니다.
#
# | 블록 | 층 (3x3 합성곱, `padding="same"`) | 그다음 |
# | --- | --- | --- |
# | 1 | `block1_conv1`, `block1_conv2`: 필터 64개 | `block1_pool` (2x2 최대 풀링, 스트라이드 2) |
# | 2 | `block2_conv1`, `block2_conv2`: 필터 128개 | `block2_pool` |
# | 3 | `block3_conv1` ... `block3_conv3`: 필터 256개 | `block3_pool` |
# | 4 | `block4_conv1` ... `block4_conv3`: 필터 512개 | `block4_pool` |
# | 5 | `block5_conv1` ... `block5_conv3`: 필터 512개 | `block5_pool` |
# | 헤드 | `flatten`, `fc1` (Dense `fc`), `fc2` (Dense `fc`), `predictions` (Dense `num_classes`) | |
#
# `input_shape`은 `(height, width, channels)`이며, 높이와 너비가 같을 필요는 없습니다. `output_shape`에는 배치
# 축을 넣지 않습니다. 32x32에서 `block1_conv1` 다음은 `(32, 32, 64)`, `flatten` 다음은 `(512,)`입니다. 풀링 층은
# Keras의 기본값 `padding="valid"`를 쓰는 글의 `MaxPooling2D`이므로, 높이와 너비를 각각 절반으로 줄이면서
# **내림**합니다(한 변이 5이면 2, 3이면 1). `padding="same"`을 쓴 04강의 풀링이 올림하는 것(5가 3이 됨)과
# 다릅니다. 풀링과 평탄화에는 파라미터가 없습니다(0). 이 이름들은 `keras.applications.VGG16`이 쓰는 이름입니다.
# 각 행을 직접 계산하세요(다섯 블록을 도는 반복문 하나면 충분합니다). 합계는 Keras와 일치해야 하며, 글의
# CIFAR-10 모델은 **33,638,218**입니다. 아래 검사는 48x40 입력도 시험합니다.

# %% [answer] cell=vgg16_param_table en=33d53c64a2
def vgg16_param_table(input_shape=(32, 32, 3), num_classes=10, fc=4096):
    """plain VGG16을 층마다 한 행인 ``(layer name, output shape, params)`` 목록으로 나타냅니다:
    합성곱 13개(3x3, 'same' 패딩), 최대 풀링 5개(2x2, 스트라이드 2, 'valid' 패딩: 높이와 너비를
    각각 절반으로 줄이고 내림), Flatten, 그다음 Dense ``fc``, Dense ``fc``, Dense ``num_classes``.
    ``input_shape``은 (height, width, channels)이며 정사각형이 아닐 수도 있습니다. 출력 모양에는
    배치 축을 넣지 않습니다.
    이름은 keras.applications.VGG16을 따릅니다: block1_conv1, ..., block1_pool, ..., flatten, fc1,
    fc2, predictions."""
    ### BEGIN SOLUTION
    height, width, channels = input_shape
    rows = []
    for block, (n_convs, filters) in enumerate(((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)), 1):
        for i in range(1, n_convs + 1):
            params = 3 * 3 * channels * filters + filters
            channels = filters
            rows.append((f"block{block}_conv{i}", (height, width, channels), params))
        height, width = height // 2, width // 2
        rows.append((f"block{block}_pool", (height, width, channels), 0))
    n_in = height * width * channels
    rows.append(("flatten", (n_in,), 0))
    for name, units in (("fc1", fc), ("fc2", fc), ("predictions", num_classes)):
        rows.append((name, (units,), n_in * units + units))
        n_in = units
    return rows
    ### END SOLUTION

# %% [tests] cell=vgg16_param_table_hidden en=212a4f1ac4
# vgg16_param_table의 숨겨진 테스트는 노트북을 채점할 때 여기에서 실행됩니다.

# %% [markdown] cell=md-04 en=76af268894
# 두 입력 크기에서 본 같은 신경망입니다. 합성곱은 이미지 크기와 상관이 없으므로(3x3 필터는 어디서나 같은
# 가중치를 씁니다) 13개 합성곱의 파라미터는 두 경우 모두 **14,714,688**개이고, `fc2`(4096에서 4096으로)도
# 같습니다. 차이인 **104,719,326**개는 두 층에서 생깁니다. 224x224에서는 7x7x512 = 25,088개 값을 받지만
# 32x32에서는 1x1x512 = 512개만 받는 `fc1`(파라미터 **100,663,296**개 적음)과, 출력이 1000개가 아니라 10개인
# `predictions`(**4,056,030**개 적음)입니다.

# %% [code] cell=code-02 en=2a56e6b4d2
def print_param_tables(*configs):
    tables = [vgg16_param_table(*cfg) for cfg in configs]
    head = "".join(f" | {f'{s[0]}x{s[1]}x{s[2]}, {k} classes':^38}" for s, k in configs)
    print(f"{'layer':<14}{head}")
    print(f"{'':<14}" + f" | {'output shape':<22}{'params':>16}" * len(tables))
    for rows in zip(*tables):
        print(f"{rows[0][0]:<14}" + "".join(f" | {str(r[1]):<22}{r[2]:>16,}" for r in rows))
    print(f"{'total':<14}" + "".join(f" | {'':<22}{sum(r[2] for r in t):>16,}" for t in tables))
    conv = [sum(r[2] for r in t if "conv" in r[0]) for t in tables]
    print("합성곱 13개의 파라미터:", ", ".join(f"{c:,}" for c in conv))
    for a, b in zip(tables, tables[1:]):
        diff = [(r[0], r[2] - q[2]) for r, q in zip(a, b) if r[2] != q[2]]
        print("파라미터 수가 다른 층:", ", ".join(f"{name} {d:,}" for name, d in diff),
              f"- 모두 합해 {sum(d for _, d in diff):,}")

print_param_tables(((224, 224, 3), 1000), ((32, 32, 3), 10))

# %% [markdown] cell=md-05 en=4e3136cdf0
# ## 4. 연습 문제: 왜 3x3만 쓸까? 수용 영역
# 3x3 합성곱의 출력 픽셀 하나는 입력의 3x3 영역을 봅니다. 두 개를 쌓으면 두 번째 출력의 픽셀 하나가 입력 픽셀
# 5x5개를 보고, 세 개를 쌓으면 7x7개를 봅니다. 그래서 3x3 합성곱을 쌓으면 큰 커널 하나만큼 "보면서도" **사이에
# ReLU가 더 많이** 들어가고(비선형성이 커집니다) **가중치는 더 적습니다**. 입력과 출력 채널이 `C`개일 때(편향
# 제외) 3x3 층 세 개는 3 x (3*3*C*C) = 27C^2개의 가중치를, 7x7 층 하나는 49C^2개를 가집니다.
#
# `receptive_field(n_layers, kernel=3)`(`kernel`x`kernel` 윈도의 스트라이드 1 합성곱 `n_layers`개를 지난 뒤 출력
# 픽셀 하나가 보는 입력 영역의 한 변 길이, 픽셀 단위. 풀링 없음)와, `(stacked, single)` 쌍을 반환하는
# `stacked_vs_single_params(n_layers, channels)`를 작성하세요. `stacked`는 3x3 합성곱 `n_layers`개를 쌓았을
# 때의 가중치 수, `single`은 수용 영역이 같은 합성곱 하나의 가중치 수입니다(입력과 출력 채널 `channels`개,
# 편향 없음).

# %% [answer] cell=receptive_field en=6ffa100fbe
def receptive_field(n_layers, kernel=3):
    """``kernel`` x ``kernel`` 윈도의 스트라이드 1 합성곱 ``n_layers``개를 쌓았을 때의 수용 영역
    (한 변의 픽셀 수)."""
    ### BEGIN SOLUTION
    return 1 + n_layers * (kernel - 1)
    ### END SOLUTION


def stacked_vs_single_params(n_layers, channels):
    """입력과 출력 채널이 ``channels``개인 3x3 합성곱 ``n_layers``개를 쌓았을 때와, 수용 영역이 같은
    합성곱 하나일 때의 가중치 수(편향 제외): ``(stacked, single)``을 반환합니다."""
    ### BEGIN SOLUTION
    stacked = n_layers * 3 * 3 * channels * channels
    side = 1 + 2 * n_layers
    return stacked, side * side * channels * channels
    ### END SOLUTION

# %% [tests] cell=receptive_field_hidden en=4a34b1eeaa
# receptive_field와 stacked_vs_single_params의 숨겨진 테스트는 노트북을 채점할 때 여기에서 실행됩니다.

# %% [code] cell=code-03 en=ac16305175
print(" 층 수 | 수용 영역       |     쌓은 3x3 가중치 |   큰 커널 하나 |   절약")
for _n in (1, 2, 3, 4):
    _s, _one = stacked_vs_single_params(_n, 256)
    _rf = receptive_field(_n)
    print(f"{_n:>6} | {_rf}x{_rf:<13} | {_s:>19,} | {_one:>14,} | {1 - _s / _one:>6.0%}")

# %% [markdown] cell=md-06 en=19cc3ddfec
# ## 5. 연습 문제: 글의 모델 - 배치 정규화가 없는 VGG16
# Sequential(또는 함수형) API로 `build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
# kernel_initializer="glorot_uniform")`을 작성하세요. 글의 모델을 층 하나하나 그대로, 다른 층을 더하지 않고
# 만듭니다.
# - 3x3 `Conv2D`(`padding="same"`, `activation="relu"`) 블록 다섯 개: 층 수는 2, 2, 3, 3, 3개, 필터 수는
#   `base`x1, x2, x4, x8, x8(기본값 `base=64`이면 64, 128, 256, 512, 512)이며, 블록마다 `MaxPooling2D(2)`로
#   끝납니다.
# - `Flatten`, `Dense(fc, "relu")`, `Dense(fc, "relu")`, `Dense(num_classes, "softmax")`.
# - **모든** `Conv2D`와 `Dense` 층에 `kernel_initializer=kernel_initializer`를 줍니다. 기본값
#   `"glorot_uniform"`은 아무것도 지정하지 않을 때 Keras가 쓰는 초기화이므로, 글에서 쓴 것도 이것입니다.
#
# `base`와 `fc`가 있어서 fast 모드는 같은 16층 설계를 CPU가 감당할 수 있는 폭으로 학습할 수 있습니다.

# %% [answer] cell=build_plain_vgg16 en=5b21dc8e92
def build_plain_vgg16(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64,
                      kernel_initializer="glorot_uniform"):
    """배치 정규화가 없는 글의 VGG16: 다섯 블록에 Conv2D(3x3, 'same', ReLU) 13개, 필터 수는
    base x 1, 2, 4, 8, 8이고 블록마다 MaxPooling2D(2)로 끝납니다. 그다음 Flatten, Dense ``fc`` ReLU,
    Dense ``fc`` ReLU, Dense ``num_classes`` softmax. 모든 Conv2D와 Dense 층이
    ``kernel_initializer``를 씁니다."""
    ### BEGIN SOLUTION
    stack = [keras.Input(shape=input_shape)]   # 리스트 하나, keras.Sequential 하나: add마다가 아니라 한 번만 만듭니다
    for n_convs, filters in ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)):
        for _ in range(n_convs):
            stack.append(layers.Conv2D(filters * base // 64, 3, padding="same", activation="relu",
                                       kernel_initializer=kernel_initializer))
        stack.append(layers.MaxPooling2D(2))
    stack += [layers.Flatten(),
              layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer),
              layers.Dense(fc, activation="relu", kernel_initializer=kernel_initializer),
              layers.Dense(num_classes, activation="softmax", kernel_initializer=kernel_initializer)]
    return keras.Sequential(stack, name="plain_vgg16")
    ### END SOLUTION

# %% [tests] cell=build_plain_vgg16_hidden en=0628e5439c
# build_plain_vgg16의 숨겨진 테스트는 노트북을 채점할 때 여기에서 실행됩니다.

# %% [markdown] cell=md-07 en=07a766a752
# Keras도 여러분의 표와 같은 값을 냅니다. `model_layers`는 Keras가 만든 층들을 나열합니다. 그 파라미터 열을
# 여러분의 표 옆에 놓아 봅시다.

# %% [code] cell=code-04 en=77afa6225c
plain = build_plain_vgg16()
_keras_rows = [d for d in model_layers(plain, input_shape=(32, 32, 3))]
_table = vgg16_param_table((32, 32, 3), 10)
for _mine, _k in zip(_table, _keras_rows):
    print(f"{_mine[0]:<14} {str(_mine[1]):<16} 표 {_mine[2]:>12,} | Keras {_k['kind']:<13} {_k['params']:>12,}")
print(f"합계: 표 {sum(r[2] for r in _table):,} | Keras count_params() {plain.count_params():,}")
del plain

# %% [markdown] cell=md-08 en=9a368089be
# full 모드에서는 ImageNet 크기의 VGG16(파라미터 1억 3,800만 개, float32 가중치로 약 550 MB. 몇 초 걸립니다)도
# 한 번 만들어 Keras에 파라미터 수를 물어봅니다. fast 모드는 이 단계를 건너뜁니다.

# %% [code] cell=code-05 en=422e4c6fcb
if not FAST:
    _big = build_plain_vgg16((224, 224, 3), 1000)
    print(f"Keras, 224x224x3 / 1000개 클래스의 VGG16: 파라미터 {_big.count_params():,}개 "
          f"(표: {sum(r[2] for r in vgg16_param_table((224, 224, 3), 1000)):,})")
    del _big
else:
    print("fast 모드: 파라미터 1억 3,800만 개짜리 모델은 만들지 않고 건너뜁니다. 표에 따르면 "
          f"{sum(r[2] for r in vgg16_param_table((224, 224, 3), 1000)):,}개입니다.")

# %% [markdown] cell=md-09 en=500f392f35
# ## 6. 데이터: CIFAR-10
# 32x32 픽셀 컬러 이미지 60,000개, 10개 클래스입니다(훈련용 50,000개, 테스트용 10,000개). 글처럼 픽셀을
# [0, 1]로 스케일링합니다. 글은 레이블을 원-핫 인코딩하고 `categorical_crossentropy`를 쓰지만, 우리는 정수
# 레이블을 그대로 두고 같은 손실을 계산하는 `sparse_categorical_crossentropy`를 씁니다.

# %% [code] cell=code-06 en=0dba5bb608
(x_train, y_train), (x_test, y_test) = load_cifar10()
y_train, y_test = y_train.reshape(-1), y_test.reshape(-1)
show_image_grid(x_train, y_train, class_names=CIFAR10_CLASSES, rows=2, cols=8, title="CIFAR-10 훈련 이미지")

# %% [markdown] cell=md-10 en=ae1cd4ac9e
# fast 모드는 훈련 이미지 256개와 테스트 이미지 200개, 그리고 같은 16층 신경망의 좁은 버전(필터 64개 대신
# `base=8`개, 4096 대신 1024 폭의 헤드)을 써서 3 에폭 학습합니다. 코스의 2코어 CPU에서 전체 모델은 이미지
# 32개짜리 훈련 스텝 하나에 1-1.7초가 걸렸기 때문입니다. full 모드는 글의 모델과 설정을 그대로 씁니다. 훈련
# 이미지 50,000개 전부(40,000개로 학습하고 10,000개는 떼어 둠)로 10 에폭입니다.

# %% [code] cell=code-07 en=8d9b065e4f
N_TRAIN, N_TEST = by_mode(fast=(256, 200), full=(len(x_train), len(x_test)))
BASE, FC = by_mode(fast=(8, 1024), full=(64, 4096))
EPOCHS, BATCH_SIZE = by_mode(fast=3, full=10), 32
x_train = x_train[:N_TRAIN].astype("float32") / 255.0
x_test = x_test[:N_TEST].astype("float32") / 255.0
y_train, y_test = y_train[:N_TRAIN], y_test[:N_TEST]
print(f"훈련 이미지 {len(x_train)}개(20%는 검증용으로 떼어 둠), 테스트 이미지 {len(x_test)}개; "
      f"VGG16 base={BASE}, fc={FC}; 배치 {BATCH_SIZE}로 {EPOCHS} 에폭")

# %% [markdown] cell=md-11 en=d8216b00fb
# ## 7. 연습 문제: 2.3026은 무슨 뜻일까?
# 교차 엔트로피(cross-entropy)는 `-log(p[true class])`입니다. 쓸모 있는 것을 아무것도 배우지 못한 신경망은
# 어떤 이미지든 모든 클래스에 같은 확률 `1/C`을 줍니다. 그래서 손실은 모든 이미지에서 정확히
# `-log(1/C) = log(C)`입니다. CIFAR-10에서는 `log(10) = 2.302585...`이므로 **글의 2.3026은 균등 추측(uniform
# guess)의 손실**이고, 정확도 10 %는 균형 잡힌 열 개 클래스에서 균등한(또는 상수) 추측이 얻는 점수입니다.
#
# `initial_loss(num_classes)`를 작성하세요. `num_classes`개 클래스에 대한 균등 예측의 교차 엔트로피를 Python
# float로 반환합니다. 이 값은 갓 초기화한 분류기의 손실이 처음에 *가까워야 할* 값이기도 하므로, 학습 전에 빠르게
# 해 볼 수 있는 점검(sanity check)이 됩니다.

# %% [answer] cell=initial_loss en=ce496c8cbf
def initial_loss(num_classes):
    """``num_classes``개 클래스에 대해 균등 분포를 예측하는 분류기의 교차 엔트로피
    (학습하지 않았거나 학습이 멈춘 신경망이 얻는 값)."""
    ### BEGIN SOLUTION
    return float(np.log(num_classes))
    ### END SOLUTION

# %% [tests] cell=initial_loss_hidden en=46dfb941e2
# initial_loss의 숨겨진 테스트는 노트북을 채점할 때 여기에서 실행됩니다.

# %% [markdown] cell=md-12 en=d9612e1d75
# 실제 모델로 확인해 봅시다. 학습하지 않은 plain VGG16(글과 같은 Glorot 초기화)의 손실은 거의 정확히
# `log(10)`이고, 예측 확률은 이미지에 거의 좌우되지 않습니다.

# %% [code] cell=code-08 en=fc4a03ec77
keras.utils.set_random_seed(0)
plain = build_plain_vgg16(fc=FC, base=BASE)
_probs = np.asarray(plain(x_train[:128], training=False))
_loss0 = float(keras.losses.sparse_categorical_crossentropy(y_train[:128], _probs).numpy().mean())
print(f"학습하지 않은 plain VGG16: 손실 {_loss0:.4f}, 비교: log(10) = {initial_loss(10):.4f}")
print(f"예측 확률: 최솟값 {_probs.min():.4f}, 최댓값 {_probs.max():.4f}; "
      f"이미지 간 퍼짐(클래스별 표준편차의 평균) {_probs.std(axis=0).mean():.2e}")

# %% [markdown] cell=md-13 en=159fe0f19c
# ## 8. 실패 재현하기
# 글의 학습을 우리 예산에 맞춰 그대로 합니다. 기본값의 `Adam()`(학습률 0.001), 배치 32,
# `validation_split=0.2`(Keras는 이미지의 *마지막* 20 %를 검증용으로 떼어 둡니다).
#
# 기준이 되는 숫자가 하나 더 있습니다. 상수 출력에 갇힌 신경망도 마지막 편향은 배울 수 있습니다. 가장 좋은
# 상수 예측은 훈련 세트의 클래스 빈도이고, 그 손실은 클래스 빈도의 엔트로피입니다. 클래스마다 5,000개씩인
# CIFAR-10의 훈련 이미지 50,000개에서는 정확히 `log(10)`이지만, 여기서 `fit`이 학습하는 이미지는 클래스가
# 완벽하게 균형 잡혀 있지 않으므로(fast 모드의 204개는 full 모드의 40,000개보다 훨씬 덜 균형 잡혀 있습니다)
# 조금 더 낮습니다. 갇힌 신경망은 그 선 위에 머물고, 배우는 신경망은 그 아래로 내려갑니다.
# 예측의 **퍼짐**(spread)도 측정합니다. 예측 확률이 테스트 이미지마다 얼마나 달라지는지(이미지에 걸친 표준편차를
# 클래스에 대해 평균한 값)를 나타냅니다. 입력을 무시하는 신경망의 퍼짐은 0에 가깝습니다.
#
# `train`은 에폭마다 한 줄(학습하는 이미지에 대한 손실과 정확도, 떼어 둔 20 %에 대한 `val_` 값, 그 에폭에 걸린
# 초와 남은 시간)을 출력하고, 마지막에 테스트 손실과 정확도, 퍼짐을 출력합니다.

# %% [code] cell=code-09 en=e2b120c348
_n_fit = int(len(y_train) * 0.8)                      # validation_split=0.2일 때 fit()이 학습하는 이미지 수
_freq = np.bincount(y_train[:_n_fit], minlength=10) / _n_fit
CONSTANT_LOSS = float(-np.sum(_freq[_freq > 0] * np.log(_freq[_freq > 0])))
print(f"이 훈련 이미지 {_n_fit}개에 대한 최적 상수 예측: 손실 {CONSTANT_LOSS:.4f} "
      f"(log(10) = {initial_loss(10):.4f})")
runs, spread = {}, {}


def prediction_spread(model, images, batch_size=256):
    """예측 확률이 이미지마다 얼마나 달라지는지(0: 모든 이미지에서 같음).
    이미지는 한 배치씩 모델을 통과합니다. 10,000개를 한꺼번에 넣으면 GPU 메모리에 들어가지 않습니다."""
    probs = np.concatenate([np.asarray(model(images[i:i + batch_size], training=False))
                            for i in range(0, len(images), batch_size)])
    return float(np.std(probs, axis=0).mean())


def train(name, model, learning_rate=1e-3, epochs=EPOCHS):
    """글처럼 컴파일하고 학습한 뒤(에폭마다 한 줄 출력) 테스트 이미지로 평가하고, 학습 기록(history)을
    ``name`` 아래에 보관합니다."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs,
                        validation_split=0.2, verbose=0, callbacks=[EpochLog(name)])   # 에폭마다 한 줄
    test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    runs[name] = history.history
    spread[name] = prediction_spread(model, x_test)
    print(f"{name}: 테스트 손실 {test_loss:.4f}, 테스트 정확도 {test_acc:.1%}, 예측 퍼짐 {spread[name]:.1e}")
    return model


keras.utils.set_random_seed(1)
plain_init = build_plain_vgg16(fc=FC, base=BASE)       # 아래 진단에 쓰려고 학습하지 않은 채로 둡니다
keras.utils.set_random_seed(1)
plain = train("plain VGG16, Adam 1e-3 (the post)", build_plain_vgg16(fc=FC, base=BASE), 1e-3)

# %% [markdown] cell=md-14 en=b1449fc1a1
# ## 9. 진단: 신경망 속 들여다보기
# 손실이 `log(C)`에 머문다는 것은 출력이 입력에 좌우되지 않는다는 뜻입니다. 입력은 어디에서 사라질까요? 배치
# 하나로 층마다 두 가지를 측정합니다.
# - **활성화**: 각 ReLU 층 출력의 제곱평균제곱근(RMS)과, 채널(유닛) 가운데 **죽은** 채널의 비율. 죽은 채널은
#   배치의 모든 이미지에서 0이므로 신호를 전달하지 못하고 그레이디언트도 받지 못합니다.
# - **그레이디언트**: 각 층의 커널에 대한 손실 그레이디언트의 노름(norm).
#
# 초기화 직후의 plain 모델(글처럼 Glorot 초기화), 같은 구조에 **He 초기화**(ReLU에 맞게 스케일을 정한
# `he_normal`)를 쓴 모델, 그리고 실패한 학습을 마친 plain 모델을 비교합니다.

# %% [code] cell=code-10 en=297938686d
def relu_layers(model):
    """출력이 막 ReLU를 거친 층들(relu를 쓰는 Conv2D/Dense, Activation/ReLU 층)입니다.
    중첩된 블록 안의 층도 포함합니다(leaf_layers는 설정 셀에 있습니다)."""
    return [l for l in leaf_layers(model)
            if getattr(l, "activation", None) is keras.activations.relu or type(l).__name__ == "ReLU"]


def activation_stats(model, images):
    """ReLU 층마다 (출력의 RMS, 모든 이미지에서 0인 채널의 비율).
    plain VGG16은 층이 한 줄로 이어져 있으므로, 이미지를 층에 하나씩(중첩된 블록 안의 층도) 통과시키며
    각 ReLU 층의 출력을 기록합니다."""
    relus = [id(l) for l in relu_layers(model)]
    a, rms, dead = images, [], []
    for layer in leaf_layers(model):
        a = layer(a, training=False)
        if id(layer) in relus:
            out = np.asarray(a)
            rms.append(float(np.sqrt(np.mean(out ** 2))))
            dead.append(float(np.mean(np.all(out.reshape(-1, out.shape[-1]) <= 0, axis=0))))
    return np.array(rms), np.array(dead)


def gradient_norms(model, images, labels):
    """모든 Conv2D와 Dense 층에 대한 d(loss)/d(kernel)의 노름, 입력 쪽 층부터 출력 쪽 층까지."""
    kernels = [l.kernel for l in leaf_layers(model) if hasattr(l, "kernel")]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, model(images, training=True)))
    return np.array([float(tf.norm(g)) for g in tape.gradient(loss, kernels)])

keras.utils.set_random_seed(1)
he_init = build_plain_vgg16(fc=FC, base=BASE, kernel_initializer="he_normal")
_xb, _yb = x_train[:64], y_train[:64]
diagnosis = {name: (*activation_stats(m, _xb), gradient_norms(m, _xb, _yb))
             for name, m in [("plain, Glorot, 학습 전", plain_init), ("plain, He, 학습 전", he_init),
                             ("plain, Glorot, 학습 후", plain)]}
for name, (rms, dead, grads) in diagnosis.items():
    print(f"{name:<30} 첫/마지막 ReLU의 RMS {rms[0]:.3g} / {rms[-1]:.3g} | 전체 층의 죽은 채널 "
          f"{np.mean(dead):.0%} | 첫/마지막 층의 그레이디언트 노름 {grads[0]:.2e} / {grads[-1]:.2e}")

# %% [code] cell=code-11 en=a427e53557
fig, axes = plt.subplots(1, 3, figsize=(16, 4.2))
for name, (rms, dead, grads) in diagnosis.items():
    axes[0].semilogy(range(1, len(rms) + 1), rms, marker="o", label=name)
    axes[1].plot(range(1, len(dead) + 1), dead, marker="o", label=name)
    axes[2].semilogy(range(1, len(grads) + 1), np.maximum(grads, 1e-12), marker="o", label=name)
for ax, title, ylabel in zip(axes, ["각 ReLU 층 출력의 RMS", "ReLU 층별 죽은 채널",
                                    "가중치 층별 그레이디언트 노름"],
                             ["활성화의 RMS (로그 스케일)", "죽은 채널의 비율", "||dL/dW|| (로그 스케일)"]):
    ax.set_title(title)
    ax.set_xlabel("층 (1-13: 합성곱, 그다음 Dense)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=8)
fig.suptitle(f"plain VGG16의 내부 ({MODE} 모드, base={BASE}, fc={FC})")
fig.tight_layout()
plt.show()

# %% [markdown] cell=md-15 en=ed609b1b12
# **읽는 방법.** Glorot 초기화는 각 층의 가중치 분산을 `2/(fan_in + fan_out)`으로 정하는데, 이는 0을 중심으로
# 대칭인 활성화를 가정해 유도한 값입니다. ReLU는 입력의 절반을 0으로 만들기 때문에 층마다 신호 에너지의 절반
# 정도만 전달되고, 채널 수가 두 배가 되는 곳에서는 그보다 적게 전달됩니다. 16개 층을 지나며 이것이 쌓여서,
# 왼쪽 그래프의 Glorot 곡선은 첫 층에서 마지막 층까지 몇 자릿수나 떨어집니다. 그래서 소프트맥스는 0에 가까운
# 로짓을 받고, 출력은 모든 이미지에서 같으며, 손실은 맨 첫 스텝부터 `log(10)`입니다. He 초기화(분산
# `2/fan_in`)는 ReLU를 가정해 유도한 것이라 RMS를 거의 일정하게 유지합니다.
#
# 맨 위까지 도달하는 신호가 거의 없으니 옵티마이저가 빨리 배울 수 있는 것은 마지막 층의 편향뿐이고, 이 편향은
# 클래스 빈도에 맞춰집니다. 즉 상수 예측이고, 손실은 `log(10)`입니다. 게다가 Adam은 그레이디언트가 아무리
# 작아도 모든 그레이디언트를 학습률 정도 크기의 스텝으로 다시 스케일링합니다. 신호가 아주 작은 가중치에 이렇게
# 큰 스텝을 밟으면 ReLU가 "항상 꺼짐" 상태로 밀려나 죽습니다(가운데 그래프, 학습 후). 한번 죽은 유닛은
# 그레이디언트가 정확히 0이 되어 다시 살아나지 않습니다. 위에 출력된 숫자는 *이번* 실행에서 측정한 값입니다.
# 전체 모델도 같은 방식으로 신호를 잃습니다. 초기화 직후 무작위 이미지로 코스에서 측정했을 때 RMS가 첫
# ReLU에서 마지막 ReLU까지 약 500분의 1로 떨어졌고(fast 모드의 좁은 모델은 약 1,000분의 1), 대부분은 헤드에
# 이르기 전 13개 합성곱에서 일어났습니다.
#
# VGG 저자들도 같은 벽에 부딪혔습니다. 논문(3.1절)에서: *"신경망 가중치의 초기화는 중요하다. 잘못된 초기화는
# 깊은 신경망에서 그레이디언트가 불안정해져 학습을 멈추게 할 수 있기 때문이다."* (원문: "The initialisation of
# the network weights is important, since bad initialisation can stall learning due to the instability of
# gradient in deep nets.") 저자들은 먼저 11층짜리 구성 A를 무작위 가중치에서 학습시킨 뒤, 그 가중치로 더 깊은
# 구성들을 초기화했습니다. (논문을 제출한 뒤에는 Glorot & Bengio의 무작위 초기화로도 이 사전 학습 없이 학습할
# 수 있었다고 덧붙였습니다. 평범한 SGD와 모멘텀, 점점 줄어드는 학습률을 썼습니다. 초기화 시점에 신호가 줄어든다고
# 모든 실행이 실패하는 것은 아닙니다. 여기서는 그것이 Adam의 큰 정규화된 스텝과 만나 ReLU가 죽습니다.) 뒤에
# He 등(2015, *Delving Deep into Rectifiers*)은 ReLU를 고려한 초기화를 유도하고, Glorot 스케일링으로는 학습이
# 멈추지만 자신들의 초기화로는 학습되는 30층 plain ReLU 신경망을 보여 주었습니다. 배치 정규화(Ioffe & Szegedy,
# 2015)는 학습하는 동안 모든 층의 출력을 다시 정규화하여 문제를 근본적으로 없앱니다.
#
# ## 10. 연습 문제: 배치 정규화를 넣은 VGG16
# `build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64)`을 작성하세요.
# `build_plain_vgg16`과 같은 신경망이지만, 모든 3x3 `Conv2D`(`padding="same"`, **활성화 함수 없음**. 편향은
# Keras의 기본값대로 둡니다. 배치 정규화가 있으면 편향은 쓸모가 없어지지만 아래 파라미터 수에는 포함되어
# 있습니다) 뒤에 그 층만의 `BatchNormalization()`과 ReLU(`layers.Activation("relu")` 또는 `layers.ReLU()`)가
# 차례로 옵니다. 헤드는 그대로 `Flatten`, `Dense(fc, "relu")`, `Dense(fc, "relu")`,
# `Dense(num_classes, "softmax")`이고, 초기화는 기본값을 유지합니다. 기본값에서 파라미터는 **33,655,114**개이며,
# 그중 8,448개는 배치 정규화의 이동 평균과 이동 분산(학습되지 않음)입니다. 04강의 모델과 같습니다.

# %% [answer] cell=build_vgg16_bn en=274b77d2d2
def build_vgg16_bn(input_shape=(32, 32, 3), num_classes=10, fc=4096, base=64):
    """배치 정규화를 넣은 VGG16: 모든 3x3 Conv2D('same', 활성화 없음) 뒤에 BatchNormalization과
    ReLU Activation이 차례로 옵니다. 나머지는 ``build_plain_vgg16``과 같습니다."""
    ### BEGIN SOLUTION
    stack = [keras.Input(shape=input_shape)]
    for n_convs, filters in ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)):
        for _ in range(n_convs):
            stack += [layers.Conv2D(filters * base // 64, 3, padding="same"), layers.BatchNormalization(),
                      layers.Activation("relu")]
        stack.append(layers.MaxPooling2D(2))
    stack += [layers.Flatten(), layers.Dense(fc, activation="relu"), layers.Dense(fc, activation="relu"),
              layers.Dense(num_classes, activation="softmax")]
    return keras.Sequential(stack, name="vgg16_bn")
    ### END SOLUTION

# %% [tests] cell=build_vgg16_bn_hidden en=c39e3886fd
# build_vgg16_bn의 숨겨진 테스트는 노트북을 채점할 때 여기에서 실행됩니다.

# %% [markdown] cell=md-16 en=be80f2a2aa
# ## 11. 두 가지 방법으로 고치기
# 1. 모든 합성곱 뒤에 **배치 정규화**를 넣고, 나머지는 글과 같게(학습률 0.001의 Adam) 둡니다.
# 2. **He 초기화와 더 작은 학습률**: `kernel_initializer="he_normal"`을 쓴 plain 모델을 학습률 0.0001의
#    Adam으로 학습합니다.
#
# 데이터, 시드, 에폭 수는 실패한 실행과 같습니다.
#
# **full 모드에서 기대되는 출력**(CIFAR-10 이미지 40,000개로 10 에폭. 각 실행의 마지막 줄에 테스트 손실과
# 정확도가 나옵니다):
#
# | 실행 | full 모드에서 기대되는 결과 | 출처 |
# | --- | --- | --- |
# | plain VGG16, Adam 1e-3 (글의 모델) | 모든 에폭에서 훈련 이미지와 검증 이미지 모두 손실 2.302-2.304, 정확도 9-11 %. 테스트 정확도 약 10 % | 글의 로그: 훈련 손실 2.3027-2.3029, 검증 손실 2.3026-2.3029, 정확도 9.52-10.25 %. 테스트 손실 2.3026, 테스트 정확도 10.0 % |
# | VGG16 + BatchNorm, Adam 1e-3 | 10번째 에폭의 훈련 정확도 약 80-92 %. 테스트 정확도 약 **70-82 %**, 에폭마다 몇 %포인트씩 오르내림 | 04강의 글: 같은 33,655,114개 파라미터 모델과 Adam, 배치 64, 훈련 이미지 50,000개 전부, 테스트 이미지로 검증 - 10번째 에폭에서 훈련 정확도 87.85 %, 검증 정확도 78.26 %, 5-10번째 에폭의 검증 정확도는 69.42 %와 80.64 % 사이 |
# | plain VGG16, He 초기화, Adam 1e-4 | 첫 에폭 안에 손실이 2.30 아래로 떨어짐. 테스트 정확도 약 **60-80 %**, 훈련 정확도는 그보다 훨씬 높음(배치 정규화도 드롭아웃도 없으니 파라미터 3,360만 개가 이미지 40,000개를 외워 버림) | 코스의 추정치이며 아직 측정하지 않음: 이 설정을 쓴 공개된 실행이 없음 |

# %% [code] cell=code-12 en=4e89fc8d7d
# 해결책 1: 모든 합성곱 뒤에 배치 정규화, Adam 학습률 1e-3 (나머지는 글과 같음)
keras.utils.set_random_seed(1)
bn_model = train("VGG16 + BatchNorm, Adam 1e-3", build_vgg16_bn(fc=FC, base=BASE), 1e-3)

# %% [code] cell=code-13 en=80672b5d7d
# 해결책 2: 배치 정규화 없는 plain 모델에 He 초기화, Adam 학습률 1e-4
keras.utils.set_random_seed(1)
he_model = train("plain VGG16, He init, Adam 1e-4",
                 build_plain_vgg16(fc=FC, base=BASE, kernel_initializer="he_normal"), 1e-4)

# %% [markdown] cell=md-17 en=6931213c52
# fast 모드에서는 배치 정규화 모델의 *훈련* 손실이 빠르게 내려가는데도, 테스트 결과는 갇힌 모델보다 나을 것이
# 없어 보일 수 있습니다. 해결책이 실패한 것은 아닙니다. 추론할 때 배치 정규화는 배치 통계의 **이동 평균**(moving
# average)으로 정규화하는데, 이 값은 평균 0 / 분산 1에서 시작해 훈련 스텝마다 1 %씩만 움직입니다(Keras의 기본값
# `momentum=0.99`). 스무여 스텝이 지나도 대부분 초깃값 그대로입니다. 표준적인 해결책은 이 값을 다시 추정하는
# 것입니다. 훈련 이미지를 훈련 모드로 한 번 통과시키며 배치 통계를 평균하면 실제 값으로 바뀌고, 가중치는 바뀌지
# 않습니다. (이미지 10,000개를 250개씩 배치로 나눠 한 번 통과시키면 충분합니다. 전부를 한 번에 넣어 호출하면
# GPU에 있는 것보다 많은 메모리가 필요합니다.)

# %% [code] cell=code-14 en=6d436fe061
def recalibrate_batchnorm(model, images, batch_size=250):
    """모든 BatchNormalization의 이동 평균/분산을 ``images``의 통계로 바꿉니다. 한 번에 한 배치씩:
    k번째 배치에서 모멘텀을 (k-1)/k로 두면, 각 이동 값은 결국 모든 배치에 대한 평균이 됩니다.
    (수만 개 이미지로 한 번에 호출하면 수십 GB의 메모리가 필요합니다.)"""
    norms = [l for l in leaf_layers(model) if isinstance(l, layers.BatchNormalization)]   # 중첩된 블록 안의 층도 포함
    saved = [l.momentum for l in norms]
    for k, start in enumerate(range(0, len(images), batch_size), 1):
        for l in norms:
            l.momentum = (k - 1) / k
        model(images[start:start + batch_size], training=True)   # 이동 통계만 갱신합니다
    for l, m in zip(norms, saved):
        l.momentum = m

_before = bn_model.evaluate(x_test, y_test, batch_size=256, verbose=0)
recalibrate_batchnorm(bn_model, x_train[:min(_n_fit, 10_000)])
_after = bn_model.evaluate(x_test, y_test, batch_size=256, verbose=0)
spread["VGG16 + BatchNorm, Adam 1e-3"] = prediction_spread(bn_model, x_test)
print(f"테스트 이미지에서 배치 정규화 모델: 다시 추정하기 전 손실 {_before[0]:.4f} / 정확도 {_before[1]:.1%}; "
      f"다시 추정한 뒤 손실 {_after[0]:.4f} / 정확도 {_after[1]:.1%}; 이제 예측 퍼짐은 "
      f"{spread['VGG16 + BatchNorm, Adam 1e-3']:.1e}")

# %% [code] cell=code-15 en=15ad3e0daf
fig, axes = plt.subplots(1, 3, figsize=(17, 4.2))
for name, hist in runs.items():
    epochs = range(1, len(hist["loss"]) + 1)
    line, = axes[0].plot(epochs, hist["loss"], marker="o", label=name)
    axes[1].plot(epochs, hist["val_loss"], marker="o", color=line.get_color(), label=name)
for ax, which in zip(axes[:2], ["훈련", "검증"]):
    ax.axhline(initial_loss(10), color="grey", linestyle="--", label="log(10): 균등 추측")
    ax.axhline(CONSTANT_LOSS, color="black", linestyle=":", label="최적 상수 추측 (훈련 세트)")
    ax.set_title(f"에폭별 {which} 손실")
    ax.set_xlabel("에폭")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_ylabel("교차 엔트로피 손실")
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=8)
axes[2].barh(range(len(spread)), list(spread.values()), color=[l.get_color() for l in axes[0].lines[:len(spread)]])
axes[2].set_yticks(range(len(spread)), [n.replace(", ", "\n", 1) for n in spread], fontsize=8)
axes[2].set_xscale("log")
axes[2].set_title("테스트 이미지에서의 예측 퍼짐")
axes[2].set_xlabel("이미지 간 예측 확률의 표준편차 (로그 스케일)")
axes[2].grid(alpha=0.3)
fig.suptitle(f"실패한 실행과 두 가지 해결책 ({MODE} 모드: 훈련 이미지 {_n_fit}개 / 검증 이미지 "
             f"{len(x_train) - _n_fit}개, base={BASE}, fc={FC})")
fig.tight_layout()
plt.show()

for name, hist in runs.items():
    _gap = hist["loss"][-1] - CONSTANT_LOSS
    print(f"{name:<34} 마지막 훈련 손실 {hist['loss'][-1]:.4f} (최적 상수 추측과의 차이 {abs(_gap):.4f}, "
          f"{'above' if _gap > 0 else 'below'}), 예측 퍼짐 {spread[name]:.1e}")

# %% [markdown] cell=md-18 en=ffad96517d
# **곡선 읽기.** 글의 설정은 첫 에폭부터 마지막 에폭까지 두 기준선 위에 머뭅니다. 모든 이미지에 같은 분포를
# 예측하므로(오른쪽 그래프의 퍼짐이 0에 가깝습니다) 할 수 있는 최선은 클래스 빈도입니다. 각 실행이 *여기서*
# 어디까지 갔는지는 위의 출력에 나와 있습니다.
#
# fast 모드의 아주 작은 예산(좁은 신경망으로 21 스텝, 훈련 이미지 204개)에서 증거는 *퍼짐*과 *훈련* 손실입니다.
# 배치 정규화 모델의 훈련 손실이 가장 빨리 내려가지만, 이미지가 너무 적어 그것들을 외워 버리기도 하므로 검증
# 손실은 올라갈 수 있습니다. 학습률을 10배 줄인 He 초기화는 이제 막 선 아래로 움직이기 시작한 정도이지만, 그
# 예측은 글의 모델보다 훨씬 더 이미지에 따라 달라집니다. 수백 개 이미지로 잰 정확도는 별 의미가 없습니다. 세
# 실행을 실제 CIFAR-10에서 11절의 기대 결과와 비교하려면 full 모드(글의 모델, 데이터, 10 에폭. Colab에서 GPU를
# 쓰세요)를 실행하세요.
#
# 숫자들이 권하는 실험 하나(강의에 포함되지 않으며 코스에서 측정하지도 않았습니다): 4096 폭의 헤드는 224x224
# 입력의 값 25,088개에 맞춰 설계되었는데, 32x32에서는 512개를 받습니다. `fc=512`인 헤드는 파라미터가
# **18,393,088**개 적습니다. 그러면 plain 모델이 학습할까요? 9절은 그렇지 않을 수도 있는 이유를 보여 줍니다.
# 신호는 헤드에 이르기 전, 13개 합성곱을 빠져나올 때 이미 수백 배 약해져 있습니다.

# %% [markdown] cell=md-19 en=23904befe8
# ## 요약 - 원래 글에서 무엇이 잘못되었나
# - VGG16은 다섯 블록에 걸친 3x3 합성곱 13개에 4096-4096-클래스 수 헤드를 더한 것입니다. 224x224, 1000개
#   클래스에서는 파라미터 138,357,544개, 32x32, 10개 클래스에서는 33,638,218개이며, 합성곱은 똑같이 1,470만
#   개입니다. 차이는 `fc1`(입력이 25,088개가 아니라 512개)과 `predictions`(출력이 1000개가 아니라 10개)에서
#   생깁니다.
# - 3x3 합성곱 두 개를 쌓으면 5x5 픽셀을, 세 개를 쌓으면 7x7 픽셀을 봅니다. 큰 커널 하나보다 가중치는 적고
#   (27C^2 대 49C^2) ReLU는 더 많습니다.
# - 손실 2.3026 = log(10)과 정확도 10 %는 *균등한 예측*을 뜻합니다. 신경망이 입력을 무시하고 있습니다.
# - 글의 모델이 실패한 이유: 정규화가 없는 16층 ReLU 신경망에 Keras의 기본값인 Glorot 초기화와 학습률 0.001의
#   Adam을 쓰면, 신호가 위로 올라가는 동안 사라지고 ReLU가 죽습니다. VGG 논문이 경고한 "학습 멈춤(stall)"입니다.
#   배치 정규화가 이를 고칩니다(04강의 글은 같은 모델을 10 에폭 만에 검증 정확도 78 %까지 학습시켰습니다). 더
#   작은 학습률과 함께 쓰는 He 초기화는 16개 층 전체에서 신호를 살려 두므로(9절) 이 문제도 고칠 것으로 보입니다
#   (기대 결과는 11절에 있습니다).
# - 깊은 신경망을 몇 시간씩 학습시키기 전에 항상 첫 손실을 `log(C)`와 비교하고, 층별 활성화와 그레이디언트를
#   살펴보세요. 글은 첫 스텝부터 갇혀 있던 신경망을 3.7시간 동안 학습시켰습니다.
