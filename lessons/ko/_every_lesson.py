# Korean text of the cells the build adds to every lesson (coursekit/authoring/build.py): the Workload
# cell, the setup cell's title and the hand-in cells. The format: lessons/README.md, "Translations".

# %% [code] cell=workload en=25e973344b
#@title 작업량: full (글의 데이터와 에폭 그대로, GPU 사용) 또는 fast (작은 부분 데이터, CPU로 몇 분)
WORKLOAD = "full"  #@param ["full", "fast"]
# 이 셀을 실행한 다음 아래의 설정 셀을 실행하세요. 나중에 바꾸려면 값을 고치고 두 셀을 다시 실행하면 됩니다.
import os
os.environ["COURSE_LANG"] = "ko"  # 이 노트북의 안내와 검사 메시지를 한국어로
_set_outside = "COURSE_MODE" in os.environ and os.environ.get("COURSE_MODE_FROM") != "notebook"
if not (os.environ.get("NBGRADER_EXECUTION") or _set_outside):
    os.environ.update(COURSE_MODE=WORKLOAD, COURSE_MODE_FROM="notebook")

# %% [setup] cell=setup en=bc03a406ab
#@title 코스 설정: 작업량 셀 다음에 실행하세요 (잠긴 셀: 코스의 도우미 함수를 정의합니다)

# %% [markdown] cell=md-handin en=9b5616946a
# ## 제출할 준비가 되었나요?
# 노트북을 저장한 다음 아래 셀을 실행하세요. 채점기가 읽는 방식 그대로 저장된 파일을 검사합니다. 모든 테스트 셀이
# 채점 메타데이터와 함께 그대로 있는지, 복사된 셀은 없는지, 아직 `NotImplementedError`를 일으키는 연습 문제는
# 없는지 봅니다. 숨겨진 테스트는 실행하지 않으므로 이 결과가 점수는 아닙니다.

# %% [code] cell=handin_check en=0ff29eed0c
#@title 제출 준비 확인: 이 셀을 마지막에 실행하세요 (잠긴 셀)
handin_check(HANDIN_EXPECTED)

# %% [markdown] cell=md-handin-next en=b2be8522c9
# ## 제출하기
# 위 셀이 **Ready to hand in**(제출 준비 완료)이라고 하면 노트북을 내려받으세요. Colab에서는 *파일 > 다운로드 >
# .ipynb 다운로드*, JupyterLab에서는 *File > Download*를 고른 뒤, 받은 파일을 그대로 제출하면 됩니다.
# **NOT READY**(준비 안 됨)라고 하면 처음 지적한 문제를 고치고 저장한 뒤 다시 실행하세요.
#
# 셀을 새 노트북에 복사하지 마세요. 채점기는 숨겨진 메타데이터로 셀을 알아봅니다.
#
# **제출하기 전 마지막 실행은 fast 모드여도 됩니다.** 출력은 채점하지 않습니다. 채점기가 여러분의 코드를 fast
# 모드로 직접 다시 실행하므로, full 모드 실행은 점수가 아니라 여러분 자신을 위한 것입니다. full 모드로 이미
# 학습했다면 다시 학습할 필요가 없습니다. 저장하고, 위의 확인 셀을 실행하고, 내려받으면 됩니다. 그 뒤에 코드를
# 고쳤다면 작업량 셀에서 *fast*를 고르고 *모두 다시 시작하고 실행*(Restart and run all)을 한 다음(몇 분이면
# 됩니다) 확인 셀을 실행하세요.
