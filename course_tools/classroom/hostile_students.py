"""The synthetic class's cheaters: what each tries from inside its kernel, and what it scores.

Each hands in notebook 01 only, answered as the instructor did, with an attack added after the
first answer (``count_per_class``): the code a student would write to change grades, read the
hidden tests, copy a classmate, write into the course or the instructor's home, reach the
network, exhaust memory or processes, kill the grader, flood the output, or fool the tests.
In a sandbox every attempt fails; what it costs the student is in ``loses``. Graded without a
sandbox these students would do real harm (``os.kill(-1, ...)`` as root ends every process of
the machine), so :mod:`~course_tools.classroom.synthetic_class` grades them only in one.

``{port}`` in an attack is a port on this machine's loopback where the synthetic class
listens: a connection that arrives there crossed the sandbox's network namespace.
"""

from __future__ import annotations

from course_tools.classroom.synthetic_students import ALL, NOTEBOOKS, Edit, Student

AFTER = "test_counts = np.asarray(count_per_class(y_test))"  # the first answer's last line
NOT_HANDED_IN = tuple(f"{notebook}:{ALL}" for notebook in NOTEBOOKS[1:])
WHOLE_01 = ("01_explore:*",)

# every file the kernel can see, for the attacks that search
WALK = '''
import os


def everything(top):
    for folder, subfolders, files in os.walk(top):
        subfolders[:] = [name for name in subfolders if os.path.join(folder, name) not in
                         ("/proc", "/sys", "/dev", "/usr")]
        yield from (os.path.join(folder, name) for name in files)


'''

GRADEBOOKS = WALK + '''import sqlite3

changed = []
for path in [p for top in ("/", os.path.expanduser("~"), "../../../..") for p in everything(top)
             if p.endswith(".db")]:
    try:
        with sqlite3.connect(path) as database:
            database.execute("update grade set manual_score = 0, extra_credit = 10")
        changed.append(path)
    except sqlite3.Error as error:
        print("could not change", path, error)
print("gradebooks changed:", changed)
'''

HIDDEN_TESTS = WALK + '''from IPython import get_ipython

get_ipython().events.register("post_run_cell", lambda result: print(result.info.raw_cell))
for path in everything("/"):
    if path.endswith(".ipynb") and os.path.basename(path)[:2].isdigit():
        print(path, open(path).read())
'''

COPY = WALK + '''import json

theirs = [p for p in everything("/") if p.endswith("01_explore.ipynb")
          and not p.startswith("/submission")]
for path in theirs:
    for cell in json.load(open(path))["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            exec("".join(cell["source"]))
print("copied from:", theirs)
train_counts = np.asarray(count_per_class(y_train))
test_counts = np.asarray(count_per_class(y_test))
'''

WRITES = '''
import os
import pathlib

import helpers

repo = pathlib.Path(helpers.__file__).resolve().parent.parent
tried = {}
for target in [repo / "notebooks" / "01_explore.ipynb", repo / "helpers" / "__init__.py",
               repo / "README.md", repo / "grading" / "gradebook.db", repo / "evil.txt",
               pathlib.Path("/root/.bashrc"), pathlib.Path("/root/evil.txt"),
               *pathlib.Path("/home").glob("*/.bashrc")]:
    try:
        with open(target, "a") as handle:
            handle.write("# was here\\n")
        tried[str(target)] = "written"
    except OSError as error:
        tried[str(target)] = type(error).__name__
print(tried)
'''

NETWORK = '''
import socket

results = {}
for host in ("127.0.0.1", "localhost"):
    try:
        socket.create_connection((host, {port}), timeout=3).close()
        results[host] = "connected"
    except OSError as error:
        results[host] = type(error).__name__
print(results)
'''

MEMORY = '''
hog = [np.ones(2**27, dtype=np.uint8) for _ in range(240)]  # 30 GiB, 128 MiB at a time
'''

FORK = '''
import os

while True:
    os.fork()
'''

KILL = '''
import os
import signal

for pid in (os.getppid(), 1, -1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError as error:
        print("kill", pid, type(error).__name__)
'''

FLOOD = '''
for _ in range(1024):
    print("x" * 2**20)  # 1 GiB in all
'''

# bincount without minlength is wrong (a digit above the last one seen is missing); padding
# every array np.asarray makes hides that from the tests
TAMPER_ANSWER = "np.bincount(labels)"
TAMPER = '''
real_asarray = np.asarray


def padded(a, *args, **kwargs):
    result = real_asarray(a, *args, **kwargs)
    if result.ndim == 1 and len(result) < 10:
        result = np.concatenate([result, np.zeros(10 - len(result), result.dtype)])
    return result


np.asarray = padded
'''


def _attack(code: str) -> Edit:
    return Edit("01_explore", "count_per_class", AFTER, AFTER + "\n" + code)


STUDENTS = (
    Student("rewrites_gradebooks", "sets every grade of every gradebook it finds to 0",
            loses=NOT_HANDED_IN, edits=(_attack(GRADEBOOKS),), missing=NOTEBOOKS[1:]),
    Student("prints_hidden_tests", "prints every notebook it finds and the code the kernel ran",
            loses=NOT_HANDED_IN, edits=(_attack(HIDDEN_TESTS),), missing=NOTEBOOKS[1:]),
    Student("copies_a_classmate", "runs the answers of another student's 01 it finds",
            loses=NOT_HANDED_IN + WHOLE_01, released=("01_explore",), missing=NOTEBOOKS[1:],
            edits=(Edit("01_explore", "count_per_class", ALL, COPY),)),
    Student("writes_everywhere", "appends to the repository's files and the home folder",
            loses=NOT_HANDED_IN, edits=(_attack(WRITES),), missing=NOTEBOOKS[1:]),
    Student("opens_the_network", "connects to a port listening on the grader's loopback",
            loses=NOT_HANDED_IN, edits=(_attack(NETWORK),), missing=NOTEBOOKS[1:]),
    Student("allocates_30_gib", "allocates 30 GiB (a MemoryError; the tests still run)",
            loses=NOT_HANDED_IN, edits=(_attack(MEMORY),), missing=NOTEBOOKS[1:]),
    Student("forks_forever", "forks without end (stopped: 01 scores nothing)",
            loses=NOT_HANDED_IN + WHOLE_01, edits=(_attack(FORK),), missing=NOTEBOOKS[1:]),
    Student("kills_its_parent", "kills its parent process and every process it may",
            loses=NOT_HANDED_IN, edits=(_attack(KILL),), missing=NOTEBOOKS[1:]),
    Student("prints_a_gibibyte", "prints 1 GiB (stopped: 01 scores nothing)",
            loses=NOT_HANDED_IN + WHOLE_01, edits=(_attack(FLOOD),), missing=NOTEBOOKS[1:]),
    Student("patches_numpy", "a wrong count that passes once np.asarray pads every result",
            loses=NOT_HANDED_IN + WHOLE_01, missing=NOTEBOOKS[1:],
            edits=(Edit("01_explore", "count_per_class", "np.bincount(labels, minlength=10)",
                        TAMPER_ANSWER), _attack(TAMPER))),
)
