"""The signature pad: drawing with the mouse (synthetic events), a pen and a finger,
undo and clear, and the PNG it gives (transparent, cropped to the ink)."""

from __future__ import annotations

import io

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cmrc_desktop.ui.signature_pad import CANVAS, PNG_SCALE, SignaturePad

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def pad(qtbot) -> SignaturePad:
    widget = SignaturePad()
    qtbot.addWidget(widget)
    widget.resize(480, 160)      # a 3:1 canvas of 468 × 156 inside a 6 px frame
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def draw(qtbot, pad: SignaturePad, points: list[tuple[int, int]]) -> None:
    """One stroke with the mouse: press, moves, release."""
    first, *rest = [QPoint(x, y) for x, y in points]
    qtbot.mousePress(pad, LEFT, pos=first)
    for point in rest:
        qtbot.mouseMove(pad, point)
    qtbot.mouseRelease(pad, LEFT, pos=rest[-1] if rest else first)


def image(data: bytes) -> QImage:
    img = QImage.fromData(data, "PNG")
    assert not img.isNull()
    return img


def opaque_pixels(img: QImage) -> int:
    return sum(1 for y in range(0, img.height(), 2) for x in range(0, img.width(), 2)
               if img.pixelColor(x, y).alpha() > 100)


def test_an_empty_pad_gives_no_image(pad):
    assert pad.is_empty()
    assert pad.to_png() == b""
    assert not pad.undo_action.isEnabled() and not pad.clear_action.isEnabled()


def test_drawing_with_the_mouse_gives_a_cropped_transparent_png(qtbot, pad):
    with qtbot.waitSignal(pad.changed):
        draw(qtbot, pad, [(60, 110), (90, 60), (120, 100), (150, 50), (190, 105), (230, 70)])
    assert not pad.is_empty()
    [stroke] = pad.strokes()
    assert len(stroke) == 6
    data = pad.to_png()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    img = image(data)
    assert img.hasAlphaChannel()
    # cropped to the ink: narrower than the canvas, the ink well inside the margin
    assert 0 < img.width() < CANVAS.width() * PNG_SCALE
    assert 0 < img.height() < CANVAS.height() * PNG_SCALE
    assert img.pixelColor(0, 0).alpha() == 0                       # transparent background
    assert img.pixelColor(img.width() - 1, img.height() - 1).alpha() == 0
    assert opaque_pixels(img) > 50                                 # and ink on it
    assert pad.undo_action.isEnabled() and pad.clear_action.isEnabled()


def test_the_png_opens_with_pillow_as_the_exporters_read_it(qtbot, pad):
    from PIL import Image

    draw(qtbot, pad, [(60, 100), (200, 60), (300, 100)])
    with Image.open(io.BytesIO(pad.to_png())) as img:
        img.load()
        assert img.mode == "RGBA"
        assert img.getchannel("A").getextrema() == (0, 255)


def test_clear_empties_the_pad(qtbot, pad):
    draw(qtbot, pad, [(60, 100), (200, 60)])
    draw(qtbot, pad, [(220, 100), (300, 60)])
    with qtbot.waitSignal(pad.changed):
        pad.clear()
    assert pad.is_empty() and pad.to_png() == b""
    assert not pad.clear_action.isEnabled()


def test_undo_takes_back_the_last_stroke_only(qtbot, pad):
    draw(qtbot, pad, [(60, 100), (200, 60)])
    draw(qtbot, pad, [(220, 100), (300, 60), (340, 90)])
    with qtbot.waitSignal(pad.changed):
        pad.undo()
    assert [len(s) for s in pad.strokes()] == [2]
    pad.setFocus()
    QTest.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)   # Ctrl+Z too
    assert pad.is_empty()


def test_a_click_leaves_a_dot(qtbot, pad):
    draw(qtbot, pad, [(100, 80)])
    [stroke] = pad.strokes()
    assert len(stroke) == 1
    assert opaque_pixels(image(pad.to_png())) > 0


def test_strokes_are_kept_in_logical_coordinates_across_a_resize(qtbot, pad):
    canvas = pad._canvas_rect()                     # corner to corner (and beyond)
    draw(qtbot, pad, [(int(canvas.left()), int(canvas.top())),
                      (int(canvas.center().x()), int(canvas.center().y())),
                      (int(canvas.right()) + 20, int(canvas.bottom()) + 20)])
    [stroke] = pad.strokes()
    assert stroke[0].x == pytest.approx(0, abs=1) and stroke[0].y == pytest.approx(0, abs=1)
    assert stroke[-1].x == pytest.approx(CANVAS.width(), abs=1)
    assert stroke[-1].y == pytest.approx(CANVAS.height(), abs=1)
    before = pad.to_png()
    pad.resize(960, 320)
    assert pad.to_png() == before


def test_a_pen_draws_with_its_pressure(qtbot, pad):
    pen = QPointingDevice("test pen", 4242, QInputDevice.DeviceType.Stylus,
                          QPointingDevice.PointerType.Pen,
                          QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
                          1, 2)

    def send(kind: QEvent.Type, x: float, y: float, pressure: float) -> None:
        pos = QPointF(x, y)
        buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else LEFT
        event = QTabletEvent(kind, pen, pos, QPointF(pad.mapToGlobal(pos)), pressure,
                             0, 0, 0, 0, 0, Qt.KeyboardModifier.NoModifier, LEFT, buttons)
        QApplication.sendEvent(pad, event)
        assert event.isAccepted()

    with qtbot.waitSignal(pad.changed):
        send(QEvent.Type.TabletPress, 60, 100, 0.2)
        send(QEvent.Type.TabletMove, 120, 60, 0.6)
        send(QEvent.Type.TabletMove, 180, 90, 1.0)
        send(QEvent.Type.TabletRelease, 240, 70, 0.3)
    [stroke] = pad.strokes()
    assert [round(p.pressure, 1) for p in stroke] == [0.2, 0.6, 1.0, 0.3]
    assert pad.to_png().startswith(b"\x89PNG")


def test_a_finger_draws_and_a_cancelled_touch_leaves_nothing(qtbot, pad):
    device = QTest.createTouchDevice()
    with qtbot.waitSignal(pad.changed):
        QTest.touchEvent(pad, device).press(0, QPoint(60, 100), pad)
        QTest.touchEvent(pad, device).move(0, QPoint(140, 60), pad)
        QTest.touchEvent(pad, device).move(0, QPoint(220, 100), pad)
        QTest.touchEvent(pad, device).release(0, QPoint(260, 80), pad)
    [stroke] = pad.strokes()
    assert len(stroke) >= 3
    assert not pad.is_empty()
