"""nbgrader's ``autograde`` with the notebooks nothing else reads run beside the others.

nbgrader grades a student's notebooks one after the other. Most of the course's notebooks
read what an earlier one wrote (04 trains the model 03 saves, 06 reads 05's metrics, 08
exports 06's best model), so they must run in order; a few write only what no other notebook
reads (:data:`~course_tools.classroom.course.SIDE_NOTEBOOKS`). :class:`LaneAutograde` runs
those in a second thread, the *side lane*, while the main thread goes on with the rest:

- a side notebook is queued when nbgrader's loop reaches it, so it starts only after every
  notebook before it in the main lane has finished (07 after 06, whose models it loads);
- the side lane starts once the main lane's first notebook is done: the two first kernels,
  which start with nothing imported, would otherwise share the cores, and the main lane's is
  on the path everything waits for, while the side lane has time to spare (01 and 02 have
  until 06 is done);
- the side lane has its own converter (nbgrader's sanitize and autograde steps, a kernel
  started ahead of its next notebook) and its kernels get :attr:`side_env` on top of the
  others' environment: the course writes their metrics and figures apart, so two notebooks
  never rewrite one file at once;
- nbgrader's loop waits for the side lane before it finishes the student (and before it
  handles an error of the main lane). An error of nbgrader's in either lane (a notebook it
  cannot process, not a cell that fails) fails the student, as in order, and is logged; the
  scores recorded before it can differ from those in order, where nothing after the notebook
  that failed is scored: the other lane goes on to its end.

With no side notebooks it is nbgrader's ``Autograde``.
"""

from __future__ import annotations

import os
import queue
import threading

from nbconvert.writers import FilesWriter
from nbgrader.converters import Autograde
from nbgrader.converters.base import BaseConverter
from nbgrader.utils import capture_log, temp_attrs
from traitlets import Dict, Integer, List, Unicode
from traitlets.config import Config

from course_tools.classroom.warm_kernels import ahead

KERNEL_MANAGER = "GradingKernelManager"
_DONE = None  # what ends the side lane's queue


class Autograding:
    """``NBGRADER_EXECUTION=autograde`` in ``os.environ`` while any lane executes a notebook
    (nbgrader's own ``setenv`` deletes it after each notebook, under the other lane's feet)."""

    name, value = "NBGRADER_EXECUTION", "autograde"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inside = 0

    def __enter__(self) -> None:
        with self.lock:
            self.inside += 1
            os.environ[self.name] = self.value

    def __exit__(self, *exc) -> None:
        with self.lock:
            self.inside -= 1
            if not self.inside:
                os.environ.pop(self.name, None)


AUTOGRADING = Autograding()


class LaneConverter(Autograde):
    """nbgrader's ``Autograde.convert_single_notebook`` (sanitize, then autograde), with the
    variable it sets for the execution shared between the lanes (:data:`AUTOGRADING`)."""

    def convert_single_notebook(self, notebook_filename: str) -> None:
        self.log.info("Sanitizing %s", notebook_filename)
        self._sanitizing = True
        self._init_preprocessors()
        BaseConverter.convert_single_notebook(self, notebook_filename)

        notebook_filename = os.path.join(self.writer.build_directory,
                                         os.path.basename(notebook_filename))
        self.log.info("Autograding %s", notebook_filename)
        self._sanitizing = False
        self._init_preprocessors()
        try:
            with AUTOGRADING:
                BaseConverter.convert_single_notebook(self, notebook_filename)
        finally:
            self._sanitizing = True


class SideLane(threading.Thread):
    """The thread that autogrades the side notebooks, in the order they are queued."""

    def __init__(self, converter: Autograde, preloads: dict[str, tuple[str, ...]]) -> None:
        super().__init__(name="side-lane", daemon=True)
        self.converter = converter
        self.preloads = preloads
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.error: BaseException | None = None
        self.taken = 0  # notebooks that ran in a kernel started ahead
        self.go = threading.Event()  # set: the lane may start

    def run(self) -> None:
        self.go.wait()
        with ahead(self.preloads) as warm:
            while (filename := self.queue.get()) is not _DONE:
                if self.error is not None:  # after an error, as in order: nothing more runs
                    self.converter.log.warning("side lane: not graded after its error: %s",
                                               filename)
                    continue
                try:
                    self.converter.convert_single_notebook(filename)
                except BaseException as error:  # raised in nbgrader's thread at the end
                    self.converter.log.error("side lane: nbgrader failed on %s", filename,
                                             exc_info=True)
                    self.error = error
            self.taken = warm.taken

    def finish(self) -> BaseException | None:
        """Wait until every queued notebook is graded; the error that stopped the lane, if
        any."""
        self.go.set()
        self.queue.put(_DONE)
        self.join()
        return self.error


class LaneAutograde(LaneConverter):
    """nbgrader's ``Autograde`` with :attr:`side_notebooks` graded beside the others."""

    side_notebooks = List(Unicode(), help="notebooks (names without .ipynb) graded in the side "
                          "lane: nothing another notebook reads may come from them").tag(
        config=True)
    side_env = Dict(Unicode(), help="variables the side lane's kernels get on top of the "
                    "others'").tag(config=True)
    side_preloads = Dict(help="side notebook -> modules its kernel started ahead imports").tag(
        config=True)
    side_nice = Integer(10, help="niceness of the side lane's kernels: the main lane, which "
                        "every later notebook waits for, gets the cores first").tag(config=True)

    _side: SideLane | None = None
    _main_done = False  # the main lane has graded a notebook: the side lane may start
    side_taken = 0  # side notebooks that ran in a kernel started ahead

    def convert_single_notebook(self, notebook_filename: str) -> None:
        name = os.path.splitext(os.path.basename(notebook_filename))[0]
        if name in self.side_notebooks:
            self._side_lane().queue.put(notebook_filename)
            return
        try:
            super().convert_single_notebook(notebook_filename)
        except BaseException:
            self._finish_side()  # before nbgrader removes the student's autograded folder
            raise  # the side lane's error, if any, is logged
        self._main_done = True
        if self._side is not None:
            self._side.go.set()

    def set_permissions(self, assignment_id: str, student_id: str) -> None:
        error = self._finish_side()
        if error is not None:
            raise error
        super().set_permissions(assignment_id, student_id)

    def convert_notebooks(self) -> None:
        try:
            super().convert_notebooks()
        finally:
            self._finish_side()

    def _side_lane(self) -> SideLane:
        if self._side is None:
            self._side = SideLane(self._side_converter(), dict(self.side_preloads))
            if self._main_done:
                self._side.go.set()
            self._side.start()
        return self._side

    def _finish_side(self) -> BaseException | None:
        side, self._side = self._side, None
        if side is None:
            return None
        error = side.finish()
        self.side_taken += side.taken
        return error

    def _side_converter(self) -> LaneConverter:
        """An ``Autograde`` of its own (nbgrader's converters keep per-notebook state), whose
        kernels get :attr:`side_env`."""
        config = Config(self.config)  # a new top level: the sections below are replaced, not
        kernels = Config(config.get(KERNEL_MANAGER, {}))  # changed in place
        kernels["env"] = {**kernels.get("env", {}), **self.side_env}
        kernels["nice"] = self.side_nice
        config[KERNEL_MANAGER] = kernels
        converter = LaneConverter(coursedir=self.coursedir, parent=self, config=config)
        converter.writer = FilesWriter(parent=converter, config=config)
        converter.exporter = converter.exporter_class(parent=converter, config=config)
        return converter


def autograde(api, assignment: str, student: str) -> tuple[dict, int]:
    """``api.autograde(assignment, student)`` (nbgrader's ``NbGraderAPI``) with
    :class:`LaneAutograde`; also how many side notebooks ran in a kernel started ahead."""
    with temp_attrs(api.coursedir, assignment_id=assignment, student_id=student):
        app = LaneAutograde(coursedir=api.coursedir, parent=api)
        app.force, app.create_student = True, True
        return capture_log(app), app.side_taken
