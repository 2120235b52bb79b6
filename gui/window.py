"""The main window: a sidebar of panels, menus, and a status bar with job progress.

The window paints before torch is imported: the sidebar comes from the panel registry, torch loads in
the background after the first frame (:class:`~gui.torch_loader.TorchLoader`), and panels that need
it are built once it is there.
"""

from __future__ import annotations

import logging
import platform

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from engine import device as engine_device
from engine import i18n, shapes
from engine.i18n import N_, _

from .context import AppContext, NoticeBridge, make_settings, setting_text
from .i18n import CJK_FONT_HINT, apply_language, chinese_font_family
from .gui_thread_gc import install_gui_thread_gc
from .jobs import JobRunner
from .panel import Panel
from .panels import PanelEntry, panel_entries
from .theme import apply_theme, restyle, sync_plot_theme
from .panel_scroll import PanelScrollArea
from .window_images import MAX_RECENT, ImageOpening
from .torch_loader import FirstPaint, TorchLoader

__all__ = ["MainWindow", "MAX_RECENT", "PanelScrollArea"]

log = logging.getLogger(__name__)
THEME_TITLES = {"light": N_("Light theme"), "dark": N_("Dark theme")}


class MainWindow(ImageOpening, QMainWindow):
    """ConvStudio's window. Panels are created the first time they are shown.

    ``panel_classes``: panel classes or registry entries (:class:`~gui.panels.PanelEntry`), default every
    registered panel. A panel that needs torch is built only once torch is loaded; until then its page
    says it is waiting. ``firstPainted`` is emitted after the first frame; torch starts loading then.
    """

    firstPainted = Signal()
    torchLoaded = Signal()

    def __init__(self, panel_classes: list[type] | None = None, settings=None):
        super().__init__()
        self.setWindowTitle("ConvStudio")
        self.setAcceptDrops(True)
        self._quiet_dialogs = False  # screenshots and tests: errors go to the status bar only
        self.settings = settings if settings is not None else make_settings()
        # The language is chosen before any text is made: the saved choice, else the system's.
        saved_language = setting_text(self.settings, "language", "", max_length=64)
        apply_language(saved_language or i18n.system_language())
        self._font_warned = False
        # jobs run Python in worker threads: a collection there would destroy garbage widgets off their thread
        install_gui_thread_gc()
        self.jobs = JobRunner(self)
        self.ctx = AppContext(
            jobs=self.jobs,
            settings=self.settings,
            show_message=self.show_message,
            show_error=self.show_error,
            switch_to=self.switch_to,
            panel_model=self.panel_model,
            show_example_bar=self.show_example_bar,
        )
        self.panel_classes: list[type | PanelEntry] = panel_classes if panel_classes is not None else panel_entries()
        self.panels: dict[str, Panel] = {}
        self._current_id: str | None = None
        self._waiting_id: str | None = None  # shown in the sidebar, built once torch is loaded
        self.torch = TorchLoader(self)
        self.torch.loaded.connect(self._on_torch_loaded)
        self.torch.failed.connect(self._on_torch_failed)
        self._torch_applied = self.torch.is_loaded()  # device label and menu made with torch at hand

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(170)
        self.stack = QStackedWidget()
        for cls in self.panel_classes:
            item = QListWidgetItem(_(cls.title))
            item.setData(Qt.ItemDataRole.UserRole, cls.panel_id)
            item.setToolTip(_(cls.summary))
            self.sidebar.addItem(item)
            placeholder = QLabel(_("Loading {panel}…").format(panel=_(cls.title)))
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.stack.addWidget(placeholder)
        self.sidebar.setStyleSheet("QListWidget#sidebar { font-size: 11pt; } QListWidget#sidebar::item { padding: 6px 8px; }")
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        from .widgets.course_example_bar import CourseExampleBar

        self.example_bar = CourseExampleBar()
        self.example_bar.resetRequested.connect(self.open_example)
        self.example_bar.backRequested.connect(self._back_to_course)
        self.example_bar.close_button.clicked.connect(lambda: self.statusBar().clearMessage())  # the bar's line goes with it
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        right.addWidget(self.example_bar)
        right.addWidget(self.stack, 1)
        row.addLayout(right, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._take_notices()
        self._build_menus()
        self.jobs.changed.connect(self._update_job_status)
        self.jobs.errorOccurred.connect(lambda label, text, tb: self.show_error(_("{job} failed").format(job=label), text, tb))
        self.sidebar.currentRowChanged.connect(self._on_row_changed)

        self.theme = apply_theme(setting_text(self.settings, "theme", "light", THEME_TITLES))
        self._theme_actions[self.theme].setChecked(True)
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        last = setting_text(self.settings, "last_panel", "")
        ids = [cls.panel_id for cls in self.panel_classes]
        self.sidebar.setCurrentRow(ids.index(last) if last in ids else 0)
        self.warn_missing_chinese_font()
        self._first_paint = FirstPaint(self.sidebar.viewport())
        self._first_paint.painted.connect(self._on_first_paint)

    # -- torch, loaded after the first frame --

    def _on_first_paint(self) -> None:
        self.firstPainted.emit()
        if not self.isVisible() or self._torch_applied or self.torch.is_running():
            return  # closed at once (CONVSTUDIO_QUIT_AFTER=paint), or nothing left to load
        if self.torch.is_loaded():  # a panel opened before the first frame (convstudio open) loaded it
            self._on_torch_loaded()
            return
        self.show_message(_("Loading PyTorch in the background; the panels that compute open when it is ready…"), 0)
        self.torch.start()

    def _on_torch_loaded(self, seconds: float = 0.0) -> None:
        self._torch_applied = True
        self.statusBar().clearMessage()
        self._fill_device_menu()
        self.device_label.setText(engine_device.device_label())
        self._refresh_panels()  # the welcome page names the device
        waiting, self._waiting_id = self._waiting_id, None
        if waiting is not None and waiting in self.panel_ids() and self.sidebar.currentRow() == self.panel_ids().index(waiting):
            self._on_row_changed(self.sidebar.currentRow())
        self.torchLoaded.emit()

    def _on_torch_failed(self, error: str) -> None:
        self.device_label.setText(_("PyTorch not loaded"))
        self._fill_device_menu()
        for row, entry in enumerate(self.panel_classes):
            page = self.stack.widget(row)
            if entry.panel_id not in self.panels and isinstance(page, QLabel):
                page.setText(_("{panel} needs PyTorch, which could not be loaded: {error}").format(panel=_(entry.title), error=error))
        self.show_error(_("PyTorch could not be loaded"),
                        _("{error}. The course works; panels that compute need a working PyTorch "
                          "(reinstall it: python3 -m pip install --force-reinstall torch torchvision).").format(error=error))

    def _needs_to_wait(self, index: int) -> bool:
        """True when the panel at ``index`` needs torch and torch is not loaded yet."""
        entry = self.panel_classes[index]
        return bool(getattr(entry, "needs_torch", False)) and not self.torch.is_loaded()

    # -- panels --

    def panel_ids(self) -> list[str]:
        return [cls.panel_id for cls in self.panel_classes]

    def panel(self, panel_id: str) -> Panel:
        """The panel with ``panel_id``, creating it if needed."""
        if panel_id not in self.panels:
            index = self.panel_ids().index(panel_id)
            cls = self.panel_classes[index]
            if isinstance(cls, PanelEntry):
                if cls.needs_torch and self.torch.is_running():
                    # importing the panel's module here while the loader imports torchvision in its thread
                    # hands one of them a half-initialised module: wait for the loader instead
                    self.torch.wait(None)
                cls = cls.load()
                self.panel_classes[index] = cls
            sync_plot_theme()  # the panel's module may have just loaded pyqtgraph
            widget = cls(self.ctx)
            old = self.stack.widget(index)
            self.stack.insertWidget(index, self._scrolled(widget))
            self.stack.removeWidget(old)
            old.deleteLater()
            self.panels[panel_id] = widget
            if self._waiting_id == panel_id:  # asked for (a worked example) while its page waited for torch
                self._waiting_id = None
                if self._current_id == panel_id:
                    self.stack.setCurrentIndex(index)
                    widget.activate()
        return self.panels[panel_id]

    @staticmethod
    def _scrolled(panel: Panel) -> QScrollArea:
        """``panel`` in a scroll area: a panel wider or taller than a small screen scrolls instead of widening the window."""
        return PanelScrollArea(panel)

    def panel_model(self, panel_id: str):
        """The model object of panel ``panel_id`` (created if needed), or None when it has none."""
        if panel_id not in self.panel_ids():
            return None
        return getattr(self.panel(panel_id), "model", None)

    def show_example_bar(self, example_id: str) -> None:
        """Show the worked-example bar above the panels ("" hides it)."""
        self.example_bar.set_example(example_id)

    def open_example(self, example_id: str) -> bool:
        """Show a worked example in its panel, in the example's state. False for an unknown id (with a message)."""
        from engine.course.examples import UnknownExample

        from .panels.course_examples import show_example

        try:
            return show_example(self.ctx, example_id)
        except UnknownExample as exc:
            self.show_message(_("{error}; examples are listed per section by: convstudio course show SECTION (sections: convstudio course list)").format(error=exc), 10000)
            return False

    def _back_to_course(self) -> None:
        """The example bar's "Back to the course": the example's line leaves the status bar with it."""
        self.statusBar().clearMessage()
        if "course" in self.panel_ids():
            self.switch_to("course")

    def open_example_dialog(self) -> None:
        """File ▸ Open example…: a searchable list of the worked examples."""
        from .dialogs import ask_example_id

        example_id = ask_example_id(self)
        if example_id:
            self.open_example(example_id)

    def current_panel(self) -> Panel | None:
        return self.panels.get(self._current_id) if self._current_id else None

    def switch_to(self, panel_id: str) -> None:
        """Show the panel ``panel_id`` (selecting it in the sidebar)."""
        self.sidebar.setCurrentRow(self.panel_ids().index(panel_id))

    def _on_row_changed(self, row: int) -> None:
        if row < 0:
            return
        previous = self.current_panel()
        panel_id = self.panel_ids()[row]
        if panel_id not in self.panels and self._needs_to_wait(row):
            if previous is not None:
                previous.deactivate()
            self.stack.setCurrentIndex(row)
            placeholder = self.stack.widget(row)
            if isinstance(placeholder, QLabel):
                title = _(self.panel_classes[row].title)
                error = self.torch.error()
                placeholder.setText(_("{panel} needs PyTorch, which could not be loaded: {error}").format(panel=title, error=error)
                                    if error else _("Loading {panel}… (waiting for PyTorch)").format(panel=title))
            self._current_id = panel_id
            self._waiting_id = panel_id
            if self.example_bar.panel_id and self.example_bar.panel_id != panel_id:
                self.example_bar.set_example("")
            self.settings.setValue("last_panel", panel_id)
            return
        try:
            panel = self.panel(panel_id)
        except Exception as exc:  # a broken panel must not take the window down
            log.exception("panel %s failed to open", panel_id)
            self.show_error(_("Panel failed to open"), f"{panel_id}: {exc}")
            return
        if previous is not None and previous is not panel:
            previous.deactivate()
        self.stack.setCurrentIndex(row)
        self._current_id = panel_id
        if self.example_bar.panel_id and self.example_bar.panel_id != panel_id:
            self.example_bar.set_example("")
        self.settings.setValue("last_panel", panel_id)
        panel.activate()

    # -- status bar --

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.device_label = QLabel(engine_device.device_label() if self.torch.is_loaded() else _("PyTorch: loading…"))
        self.device_label.setObjectName("deviceLabel")
        self.job_label = QLabel("")
        self.job_progress = QProgressBar()
        self.job_progress.setFixedWidth(180)
        self.job_progress.setTextVisible(True)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setToolTip(_("Stop the running job at its next step"))
        self.cancel_button.clicked.connect(self._cancel_current)
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.job_label, self.job_progress, self.cancel_button):
            layout.addWidget(w)
        bar.addPermanentWidget(box)
        bar.addPermanentWidget(self.device_label)
        self._update_job_status()

    def _update_job_status(self) -> None:
        job = self.jobs.current()
        visible = job is not None
        for w in (self.job_label, self.job_progress, self.cancel_button):
            w.setVisible(visible)
        if job is None:
            return
        count = len(self.jobs.active())
        label = i18n.in_current_language(job.label)  # a job started before a language switch is named in the new one
        prefix = _("{job} (+{count} more)").format(job=label, count=count - 1) if count > 1 else label
        message = i18n.in_current_language(job.message) if job.message else ""
        self.job_label.setText(_("{job}: {message}").format(job=prefix, message=message) if message else prefix)
        if job.fraction is None:
            self.job_progress.setRange(0, 0)
        else:
            self.job_progress.setRange(0, 1000)
            self.job_progress.setValue(int(job.fraction * 1000))

    def _cancel_current(self) -> None:
        job = self.jobs.current()
        if job is not None:
            job.cancel()
            self.show_message(_("Cancelling {job}…").format(job=job.label))

    def show_message(self, text: str, msecs: int = 5000) -> None:
        """A line in the status bar."""
        self.statusBar().showMessage(text, msecs)

    def _take_notices(self) -> None:
        """Show the engine's notices (a damaged stored file kept aside…) in the status bar, queued ones first."""
        from engine.stored import set_notice_handler

        self._notices = NoticeBridge(self)
        self._notices.line.connect(self._show_notice)
        for line in set_notice_handler(self._notices.send):
            self._show_notice(line)

    def _show_notice(self, text: str) -> None:
        self.show_message(text[:1].upper() + text[1:], 20000)

    def show_error(self, title: str, text: str, details: str = "") -> None:
        """Report an error in the status bar and a dialog (details: the traceback)."""
        if details:  # a traceback: a fault of the program
            log.error("%s: %s\n%s", title, text, details)
        else:  # a situation the message explains (no camera, a file that will not open)
            log.warning("%s: %s", title, " ".join(text.split()))
        # engine errors often start with the same words ("Cannot open image …"): say them once
        self.show_message(text if text.lower().startswith(title.lower()) else f"{title}: {text}", 10000)
        if self._quiet_dialogs:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        box.setModal(False)
        box.open()

    # -- menus --

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu(_("&File"))
        self.open_action = QAction(_("&Open image…"), self, shortcut=QKeySequence.StandardKey.Open, triggered=self.open_image_dialog)
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu(_("Open &recent"))
        self._rebuild_recent()
        self.open_example_action = QAction(_("Open &example…"), self, triggered=self.open_example_dialog)
        file_menu.addAction(self.open_example_action)
        file_menu.addSeparator()
        file_menu.addAction(QAction(_("&Quit"), self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close))

        view = menu.addMenu(_("&View"))
        group = QActionGroup(self)
        self._theme_actions: dict[str, QAction] = {}
        for name in ("light", "dark"):
            act = QAction(_(THEME_TITLES[name]), self, checkable=True)
            act.triggered.connect(lambda checked=False, n=name: self.set_theme(n))
            group.addAction(act)
            view.addAction(act)
            self._theme_actions[name] = act
        view.addSeparator()
        self.device_menu = view.addMenu(_("Compute &device"))
        self._fill_device_menu()
        shape_menu = view.addMenu(_("&Shape notation"))
        sgroup = QActionGroup(self)
        self._shape_actions: dict[str, QAction] = {}
        saved_order = setting_text(self.settings, "shape_order", shapes.DEFAULT_ORDER)
        shapes.set_display_order(saved_order if saved_order in shapes.SHAPE_ORDERS else shapes.DEFAULT_ORDER)
        for order, title in (("hwc", N_("H×W×C (the course)")), ("chw", N_("C×H×W (PyTorch)"))):
            act = QAction(_(title), self, checkable=True)
            act.setChecked(order == shapes.display_order())
            act.triggered.connect(lambda checked=False, o=order: self.set_shape_order(o))
            sgroup.addAction(act)
            shape_menu.addAction(act)
            self._shape_actions[order] = act
        language_menu = view.addMenu(_("&Language"))
        lgroup = QActionGroup(self)
        self._language_actions: dict[str, QAction] = {}
        for code, name in i18n.LANGUAGES.items():
            act = QAction(name, self, checkable=True)  # each language in its own words, never translated
            act.setChecked(code == i18n.language())
            act.triggered.connect(lambda checked=False, c=code: self.set_language(c))
            lgroup.addAction(act)
            language_menu.addAction(act)
            self._language_actions[code] = act
        for i, cls in enumerate(self.panel_classes[:9]):
            act = QAction(_(cls.title), self, shortcut=QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda checked=False, pid=cls.panel_id: self.switch_to(pid))
            self.addAction(act)

        help_menu = menu.addMenu(_("&Help"))
        help_menu.addAction(QAction(_("&Keyboard shortcuts"), self, shortcut=QKeySequence("F1"), triggered=self.show_shortcuts))
        help_menu.addAction(QAction(_("&About ConvStudio"), self, triggered=self.show_about))

    def _fill_device_menu(self) -> None:
        """The devices to choose from (and the saved choice applied); one disabled line while torch loads."""
        menu = self.device_menu
        menu.clear()
        if not self.torch.is_loaded():
            menu.addAction(_("PyTorch not loaded") if self.torch.error() else _("Loading PyTorch…")).setEnabled(False)
            return
        dgroup = QActionGroup(menu)
        saved = setting_text(self.settings, "device", "auto", max_length=32)
        try:
            engine_device.set_preference(saved)
        except ValueError:
            saved = "auto"
        for name in engine_device.available_devices():
            act = QAction(name, menu, checkable=True)
            act.setChecked(name == saved)
            act.triggered.connect(lambda checked=False, n=name: self.set_device(n))
            dgroup.addAction(act)
            menu.addAction(act)

    def set_theme(self, name: str) -> None:
        self.theme = apply_theme(name)
        restyle(self)
        self._theme_actions[self.theme].setChecked(True)
        self.settings.setValue("theme", self.theme)

    def set_language(self, code: str) -> str:
        """Switch every text of the app to ``code`` live; panels keep their state. Returns the language set."""
        chosen = apply_language(code, roots=[self], after=self._after_language_change)
        self.settings.setValue("language", chosen)
        self._language_actions[chosen].setChecked(True)
        return chosen

    def set_shape_order(self, order: str) -> str:
        """Show every shape in ``order`` (``hwc`` or ``chw``); panels re-render. Returns the order set."""
        chosen = shapes.set_display_order(order)
        self.settings.setValue("shape_order", chosen)
        self._shape_actions[chosen].setChecked(True)
        self._refresh_panels()
        self.example_bar.retranslate()  # the banner's shapes follow the switch too
        return chosen

    def _refresh_panels(self) -> None:
        for panel in self.panels.values():
            try:
                panel.retranslate()
            except Exception:  # a panel that fails to re-render must not block the switch
                log.exception("panel %s failed to re-render", panel.panel_id)

    def _after_language_change(self, code: str) -> None:
        # the sidebar from the panels' own titles: a reverse lookup of "模型" could give "Model" as well as "Models"
        for row, cls in enumerate(self.panel_classes):
            item = self.sidebar.item(row)
            item.setText(_(cls.title))
            item.setToolTip(_(cls.summary))
        self._refresh_panels()
        self.example_bar.retranslate()
        if self._torch_applied:
            self.device_label.setText(engine_device.device_label())
        else:
            self.device_label.setText(_("PyTorch: loading…"))
            self._fill_device_menu()
        self._update_job_status()
        self.warn_missing_chinese_font()

    def warn_missing_chinese_font(self) -> bool:
        """Say once (in English) when Chinese is chosen and no font can show it. True if warned."""
        if i18n.language() != "zh_CN" or self._font_warned or chinese_font_family() is not None:
            return False
        self._font_warned = True
        log.warning("%s", CJK_FONT_HINT)
        self.show_message(CJK_FONT_HINT, 20000)
        return True

    def set_device(self, name: str) -> None:
        try:
            device = engine_device.set_preference(name)
        except ValueError as exc:
            self.show_error(_("Device not available"), str(exc))
            return
        self.settings.setValue("device", name)
        self.device_label.setText(engine_device.device_label(device))
        self.show_message(_("Compute device: {device}").format(device=engine_device.device_label(device)))

    def about_text(self) -> str:
        import cv2
        import torch
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        from engine import __version__

        cuda = torch.version.cuda if torch.cuda.is_available() else _("not available")
        return (
            f"<h3>ConvStudio {__version__}</h3>"
            + "<p>" + _("See and use convolutional networks: animated convolution, architectures, "
                        "live detection, faces and style transfer.") + "</p>"
            f"<p>Python {platform.python_version()}<br>PyTorch {torch.__version__}<br>CUDA {cuda}<br>"
            f"Qt {qVersion()} (PySide6 {pyside_version})<br>OpenCV {cv2.__version__}<br>"
            + _("Device: {device}").format(device=engine_device.device_label()) + "</p>"
        )

    def show_about(self) -> None:
        QMessageBox.about(self, _("About ConvStudio"), self.about_text())

    def shortcuts_text(self) -> str:
        rows = []
        for act in self.findChildren(QAction):
            seq = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if seq and act.text():
                rows.append(f"<tr><td><b>{seq}</b></td><td>{act.text().replace('&', '')}</td></tr>")
        return "<table cellpadding=3>" + "".join(sorted(set(rows))) + "</table>"

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, _("Keyboard shortcuts"), self.shortcuts_text())

    # -- shutdown --

    def closeEvent(self, event) -> None:  # noqa: N802
        self.settings.setValue("geometry", self.saveGeometry())
        for panel in self.panels.values():
            try:
                panel.shutdown()
            except Exception:
                log.exception("panel %s failed to shut down", panel.panel_id)
        # no thread may outlive the window: Qt aborts the process when a running QThread is destroyed
        from engine.stored import set_notice_handler

        from .jobs import stop_all_threads

        self.jobs.wait_all(None)
        stop_all_threads()
        self.torch.wait(30.0)  # never end the process in the middle of importing torch

        set_notice_handler(None)
        self.settings.sync()
        super().closeEvent(event)
