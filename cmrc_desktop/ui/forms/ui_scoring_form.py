# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'scoring_form.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QMetaObject, QSize, Qt)
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QFrame, QGroupBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QRadioButton, QScrollArea, QSizePolicy, QSpacerItem, QSplitter, QStackedWidget, QVBoxLayout, QWidget)

class Ui_ScoringForm(object):
    def setupUi(self, ScoringForm):
        if not ScoringForm.objectName():
            ScoringForm.setObjectName(u"ScoringForm")
        ScoringForm.resize(1200, 820)
        self.root_layout = QVBoxLayout(ScoringForm)
        self.root_layout.setSpacing(0)
        self.root_layout.setObjectName(u"root_layout")
        self.root_layout.setContentsMargins(0, 0, 0, 0)
        self.header = QFrame(ScoringForm)
        self.header.setObjectName(u"header")
        self.header.setFrameShape(QFrame.Shape.NoFrame)
        self.header_layout = QHBoxLayout(self.header)
        self.header_layout.setSpacing(24)
        self.header_layout.setObjectName(u"header_layout")
        self.header_layout.setContentsMargins(16, 12, 16, 10)
        self.title_layout = QVBoxLayout()
        self.title_layout.setSpacing(2)
        self.title_layout.setObjectName(u"title_layout")
        self.title_label = QLabel(self.header)
        self.title_label.setObjectName(u"title_label")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)

        self.title_layout.addWidget(self.title_label)

        self.subtitle_label = QLabel(self.header)
        self.subtitle_label.setObjectName(u"subtitle_label")
        self.subtitle_label.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle_label.setWordWrap(True)

        self.title_layout.addWidget(self.subtitle_label)


        self.header_layout.addLayout(self.title_layout)

        self.save_state_label = QLabel(self.header)
        self.save_state_label.setObjectName(u"save_state_label")
        self.save_state_label.setAlignment(Qt.AlignmentFlag.AlignRight|Qt.AlignmentFlag.AlignVCenter)

        self.header_layout.addWidget(self.save_state_label)

        self.completeness_label = QLabel(self.header)
        self.completeness_label.setObjectName(u"completeness_label")
        self.completeness_label.setAlignment(Qt.AlignmentFlag.AlignRight|Qt.AlignmentFlag.AlignVCenter)

        self.header_layout.addWidget(self.completeness_label)

        self.total_label = QLabel(self.header)
        self.total_label.setObjectName(u"total_label")
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight|Qt.AlignmentFlag.AlignVCenter)

        self.header_layout.addWidget(self.total_label)

        self.header_layout.setStretch(0, 1)

        self.root_layout.addWidget(self.header)

        self.readonly_banner = QFrame(ScoringForm)
        self.readonly_banner.setObjectName(u"readonly_banner")
        self.readonly_banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.readonly_banner.setAutoFillBackground(True)
        self.readonly_layout = QHBoxLayout(self.readonly_banner)
        self.readonly_layout.setObjectName(u"readonly_layout")
        self.readonly_layout.setContentsMargins(16, 8, 16, 8)
        self.readonly_icon = QLabel(self.readonly_banner)
        self.readonly_icon.setObjectName(u"readonly_icon")

        self.readonly_layout.addWidget(self.readonly_icon)

        self.readonly_label = QLabel(self.readonly_banner)
        self.readonly_label.setObjectName(u"readonly_label")
        self.readonly_label.setWordWrap(True)
        sizePolicy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        sizePolicy.setHorizontalStretch(1)
        sizePolicy.setVerticalStretch(0)
        sizePolicy.setHeightForWidth(self.readonly_label.sizePolicy().hasHeightForWidth())
        self.readonly_label.setSizePolicy(sizePolicy)

        self.readonly_layout.addWidget(self.readonly_label)

        self.reopen_button = QPushButton(self.readonly_banner)
        self.reopen_button.setObjectName(u"reopen_button")

        self.readonly_layout.addWidget(self.reopen_button)


        self.root_layout.addWidget(self.readonly_banner)

        self.header_line = QFrame(ScoringForm)
        self.header_line.setObjectName(u"header_line")
        self.header_line.setFrameShape(QFrame.Shape.HLine)
        self.header_line.setFrameShadow(QFrame.Shadow.Sunken)

        self.root_layout.addWidget(self.header_line)

        self.stack = QStackedWidget(ScoringForm)
        self.stack.setObjectName(u"stack")
        self.declarations_page = QWidget()
        self.declarations_page.setObjectName(u"declarations_page")
        self.declarations_page_layout = QVBoxLayout(self.declarations_page)
        self.declarations_page_layout.setObjectName(u"declarations_page_layout")
        self.declarations_page_layout.setContentsMargins(24, 24, 24, 24)
        self.declarations_centring = QHBoxLayout()
        self.declarations_centring.setObjectName(u"declarations_centring")
        self.declarations_left = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.declarations_centring.addItem(self.declarations_left)

        self.declarations_box = QGroupBox(self.declarations_page)
        self.declarations_box.setObjectName(u"declarations_box")
        self.declarations_box.setMaximumSize(QSize(720, 16777215))
        self.declarations_box.setMinimumSize(QSize(520, 0))
        self.declarations_layout = QVBoxLayout(self.declarations_box)
        self.declarations_layout.setSpacing(10)
        self.declarations_layout.setObjectName(u"declarations_layout")
        self.declarations_layout.setContentsMargins(20, 16, 20, 16)
        self.declarations_intro = QLabel(self.declarations_box)
        self.declarations_intro.setObjectName(u"declarations_intro")
        self.declarations_intro.setWordWrap(True)

        self.declarations_layout.addWidget(self.declarations_intro)

        self.conflict_check = QCheckBox(self.declarations_box)
        self.conflict_check.setObjectName(u"conflict_check")

        self.declarations_layout.addWidget(self.conflict_check)

        self.conflict_hint = QLabel(self.declarations_box)
        self.conflict_hint.setObjectName(u"conflict_hint")
        self.conflict_hint.setWordWrap(True)
        self.conflict_hint.setIndent(24)

        self.declarations_layout.addWidget(self.conflict_hint)

        self.integrity_label = QLabel(self.declarations_box)
        self.integrity_label.setObjectName(u"integrity_label")
        self.integrity_label.setWordWrap(True)

        self.declarations_layout.addWidget(self.integrity_label)

        self.integrity_answers = QHBoxLayout()
        self.integrity_answers.setSpacing(24)
        self.integrity_answers.setObjectName(u"integrity_answers")
        self.integrity_no_radio = QRadioButton(self.declarations_box)
        self.integrity_no_radio.setObjectName(u"integrity_no_radio")

        self.integrity_answers.addWidget(self.integrity_no_radio)

        self.integrity_yes_radio = QRadioButton(self.declarations_box)
        self.integrity_yes_radio.setObjectName(u"integrity_yes_radio")

        self.integrity_answers.addWidget(self.integrity_yes_radio)

        self.integrity_answers_end = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.integrity_answers.addItem(self.integrity_answers_end)


        self.declarations_layout.addLayout(self.integrity_answers)

        self.integrity_note_label = QLabel(self.declarations_box)
        self.integrity_note_label.setObjectName(u"integrity_note_label")
        self.integrity_note_label.setWordWrap(True)

        self.declarations_layout.addWidget(self.integrity_note_label)

        self.integrity_note_edit = QPlainTextEdit(self.declarations_box)
        self.integrity_note_edit.setObjectName(u"integrity_note_edit")
        self.integrity_note_edit.setTabChangesFocus(True)
        self.integrity_note_edit.setMaximumSize(QSize(16777215, 96))

        self.declarations_layout.addWidget(self.integrity_note_edit)

        self.declare_error_label = QLabel(self.declarations_box)
        self.declare_error_label.setObjectName(u"declare_error_label")
        self.declare_error_label.setWordWrap(True)

        self.declarations_layout.addWidget(self.declare_error_label)

        self.declare_buttons = QHBoxLayout()
        self.declare_buttons.setObjectName(u"declare_buttons")
        self.declare_buttons_start = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.declare_buttons.addItem(self.declare_buttons_start)

        self.declare_button = QPushButton(self.declarations_box)
        self.declare_button.setObjectName(u"declare_button")

        self.declare_buttons.addWidget(self.declare_button)


        self.declarations_layout.addLayout(self.declare_buttons)


        self.declarations_centring.addWidget(self.declarations_box)

        self.declarations_right = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.declarations_centring.addItem(self.declarations_right)


        self.declarations_page_layout.addLayout(self.declarations_centring)

        self.declarations_bottom = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.declarations_page_layout.addItem(self.declarations_bottom)

        self.stack.addWidget(self.declarations_page)
        self.scoring_page = QWidget()
        self.scoring_page.setObjectName(u"scoring_page")
        self.scoring_page_layout = QHBoxLayout(self.scoring_page)
        self.scoring_page_layout.setObjectName(u"scoring_page_layout")
        self.scoring_page_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(self.scoring_page)
        self.splitter.setObjectName(u"splitter")
        self.splitter.setOrientation(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.scroll_area = QScrollArea(self.splitter)
        self.scroll_area.setObjectName(u"scroll_area")
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidgetResizable(True)
        self.sheet_container = QWidget()
        self.sheet_container.setObjectName(u"sheet_container")
        self.sheet_layout = QVBoxLayout(self.sheet_container)
        self.sheet_layout.setSpacing(12)
        self.sheet_layout.setObjectName(u"sheet_layout")
        self.sheet_layout.setContentsMargins(16, 8, 16, 16)
        self.rows_container = QWidget(self.sheet_container)
        self.rows_container.setObjectName(u"rows_container")
        self.rows_layout = QVBoxLayout(self.rows_container)
        self.rows_layout.setSpacing(0)
        self.rows_layout.setObjectName(u"rows_layout")
        self.rows_layout.setContentsMargins(0, 0, 0, 0)

        self.sheet_layout.addWidget(self.rows_container)

        self.opinion_group = QGroupBox(self.sheet_container)
        self.opinion_group.setObjectName(u"opinion_group")
        self.opinion_layout = QVBoxLayout(self.opinion_group)
        self.opinion_layout.setSpacing(6)
        self.opinion_layout.setObjectName(u"opinion_layout")
        self.achievements_label = QLabel(self.opinion_group)
        self.achievements_label.setObjectName(u"achievements_label")

        self.opinion_layout.addWidget(self.achievements_label)

        self.achievements_edit = QPlainTextEdit(self.opinion_group)
        self.achievements_edit.setObjectName(u"achievements_edit")
        self.achievements_edit.setTabChangesFocus(True)
        self.achievements_edit.setMinimumSize(QSize(0, 80))
        self.achievements_edit.setMaximumSize(QSize(16777215, 120))

        self.opinion_layout.addWidget(self.achievements_edit)

        self.problems_label = QLabel(self.opinion_group)
        self.problems_label.setObjectName(u"problems_label")

        self.opinion_layout.addWidget(self.problems_label)

        self.problems_edit = QPlainTextEdit(self.opinion_group)
        self.problems_edit.setObjectName(u"problems_edit")
        self.problems_edit.setTabChangesFocus(True)
        self.problems_edit.setMinimumSize(QSize(0, 80))
        self.problems_edit.setMaximumSize(QSize(16777215, 120))

        self.opinion_layout.addWidget(self.problems_edit)

        self.recommendations_label = QLabel(self.opinion_group)
        self.recommendations_label.setObjectName(u"recommendations_label")

        self.opinion_layout.addWidget(self.recommendations_label)

        self.recommendations_edit = QPlainTextEdit(self.opinion_group)
        self.recommendations_edit.setObjectName(u"recommendations_edit")
        self.recommendations_edit.setTabChangesFocus(True)
        self.recommendations_edit.setMinimumSize(QSize(0, 80))
        self.recommendations_edit.setMaximumSize(QSize(16777215, 120))

        self.opinion_layout.addWidget(self.recommendations_edit)

        self.opinion_state_label = QLabel(self.opinion_group)
        self.opinion_state_label.setObjectName(u"opinion_state_label")
        self.opinion_state_label.setAlignment(Qt.AlignmentFlag.AlignRight|Qt.AlignmentFlag.AlignVCenter)

        self.opinion_layout.addWidget(self.opinion_state_label)


        self.sheet_layout.addWidget(self.opinion_group)

        self.sheet_bottom = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.sheet_layout.addItem(self.sheet_bottom)

        self.scroll_area.setWidget(self.sheet_container)
        self.splitter.addWidget(self.scroll_area)
        self.side_panel = QWidget(self.splitter)
        self.side_panel.setObjectName(u"side_panel")
        self.side_panel.setMinimumSize(QSize(240, 0))
        self.side_layout = QVBoxLayout(self.side_panel)
        self.side_layout.setObjectName(u"side_layout")
        self.side_layout.setContentsMargins(8, 8, 12, 12)
        self.summary_group = QGroupBox(self.side_panel)
        self.summary_group.setObjectName(u"summary_group")
        self.summary_layout = QFormLayout(self.summary_group)
        self.summary_layout.setObjectName(u"summary_layout")
        self.summary_layout.setHorizontalSpacing(12)

        self.side_layout.addWidget(self.summary_group)

        self.documents_group = QGroupBox(self.side_panel)
        self.documents_group.setObjectName(u"documents_group")
        self.documents_layout = QVBoxLayout(self.documents_group)
        self.documents_layout.setObjectName(u"documents_layout")
        self.documents_empty_label = QLabel(self.documents_group)
        self.documents_empty_label.setObjectName(u"documents_empty_label")
        self.documents_empty_label.setWordWrap(True)

        self.documents_layout.addWidget(self.documents_empty_label)


        self.side_layout.addWidget(self.documents_group)

        self.side_bottom = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.side_layout.addItem(self.side_bottom)

        self.splitter.addWidget(self.side_panel)

        self.scoring_page_layout.addWidget(self.splitter)

        self.stack.addWidget(self.scoring_page)

        self.root_layout.addWidget(self.stack)


        self.retranslateUi(ScoringForm)

        self.declare_button.setDefault(True)


        QMetaObject.connectSlotsByName(ScoringForm)
    # setupUi

    def retranslateUi(self, ScoringForm):
        pass
    # retranslateUi

