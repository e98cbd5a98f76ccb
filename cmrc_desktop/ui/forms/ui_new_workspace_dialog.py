# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'new_workspace_dialog.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QMetaObject, Qt)
from PySide6.QtWidgets import (QComboBox, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QSizePolicy, QSpacerItem, QSpinBox, QVBoxLayout, QWidget)

from cmrc_desktop.i18n import _

class Ui_NewWorkspaceDialog(object):
    def setupUi(self, NewWorkspaceDialog):
        if not NewWorkspaceDialog.objectName():
            NewWorkspaceDialog.setObjectName(u"NewWorkspaceDialog")
        NewWorkspaceDialog.resize(680, 480)
        self.dialog_layout = QVBoxLayout(NewWorkspaceDialog)
        self.dialog_layout.setSpacing(12)
        self.dialog_layout.setObjectName(u"dialog_layout")
        self.intro_label = QLabel(NewWorkspaceDialog)
        self.intro_label.setObjectName(u"intro_label")
        self.intro_label.setWordWrap(True)

        self.dialog_layout.addWidget(self.intro_label)

        self.form_layout = QFormLayout()
        self.form_layout.setObjectName(u"form_layout")
        self.form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.folder_label = QLabel(NewWorkspaceDialog)
        self.folder_label.setObjectName(u"folder_label")

        self.form_layout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.folder_label)

        self.folder_layout = QHBoxLayout()
        self.folder_layout.setObjectName(u"folder_layout")
        self.folder_edit = QLineEdit(NewWorkspaceDialog)
        self.folder_edit.setObjectName(u"folder_edit")

        self.folder_layout.addWidget(self.folder_edit)

        self.folder_button = QPushButton(NewWorkspaceDialog)
        self.folder_button.setObjectName(u"folder_button")

        self.folder_layout.addWidget(self.folder_button)


        self.form_layout.setLayout(0, QFormLayout.ItemRole.FieldRole, self.folder_layout)

        self.name_label = QLabel(NewWorkspaceDialog)
        self.name_label.setObjectName(u"name_label")

        self.form_layout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.name_label)

        self.name_edit = QLineEdit(NewWorkspaceDialog)
        self.name_edit.setObjectName(u"name_edit")

        self.form_layout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.name_edit)

        self.year_label = QLabel(NewWorkspaceDialog)
        self.year_label.setObjectName(u"year_label")

        self.form_layout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.year_label)

        self.year_spin = QSpinBox(NewWorkspaceDialog)
        self.year_spin.setObjectName(u"year_spin")
        self.year_spin.setMinimum(1900)
        self.year_spin.setMaximum(9999)
        self.year_spin.setValue(2026)

        self.form_layout.setWidget(2, QFormLayout.ItemRole.FieldRole, self.year_spin)

        self.kind_label = QLabel(NewWorkspaceDialog)
        self.kind_label.setObjectName(u"kind_label")

        self.form_layout.setWidget(3, QFormLayout.ItemRole.LabelRole, self.kind_label)

        self.kind_combo = QComboBox(NewWorkspaceDialog)
        self.kind_combo.setObjectName(u"kind_combo")

        self.form_layout.setWidget(3, QFormLayout.ItemRole.FieldRole, self.kind_combo)

        self.scheme_label = QLabel(NewWorkspaceDialog)
        self.scheme_label.setObjectName(u"scheme_label")

        self.form_layout.setWidget(4, QFormLayout.ItemRole.LabelRole, self.scheme_label)

        self.scheme_layout = QHBoxLayout()
        self.scheme_layout.setObjectName(u"scheme_layout")
        self.scheme_combo = QComboBox(NewWorkspaceDialog)
        self.scheme_combo.setObjectName(u"scheme_combo")
        sizePolicy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        sizePolicy.setHorizontalStretch(1)
        sizePolicy.setVerticalStretch(0)
        sizePolicy.setHeightForWidth(self.scheme_combo.sizePolicy().hasHeightForWidth())
        self.scheme_combo.setSizePolicy(sizePolicy)
        self.scheme_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.scheme_combo.setMinimumContentsLength(20)

        self.scheme_layout.addWidget(self.scheme_combo)

        self.scheme_import_button = QPushButton(NewWorkspaceDialog)
        self.scheme_import_button.setObjectName(u"scheme_import_button")

        self.scheme_layout.addWidget(self.scheme_import_button)


        self.form_layout.setLayout(4, QFormLayout.ItemRole.FieldRole, self.scheme_layout)

        self.scheme_info_label = QLabel(NewWorkspaceDialog)
        self.scheme_info_label.setObjectName(u"scheme_info_label")
        sizePolicy1 = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        sizePolicy1.setHorizontalStretch(0)
        sizePolicy1.setVerticalStretch(0)
        sizePolicy1.setHeightForWidth(self.scheme_info_label.sizePolicy().hasHeightForWidth())
        self.scheme_info_label.setSizePolicy(sizePolicy1)
        self.scheme_info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.form_layout.setWidget(5, QFormLayout.ItemRole.FieldRole, self.scheme_info_label)

        self.problems_box = QWidget(NewWorkspaceDialog)
        self.problems_box.setObjectName(u"problems_box")
        self.problems_layout = QVBoxLayout(self.problems_box)
        self.problems_layout.setObjectName(u"problems_layout")
        self.problems_layout.setContentsMargins(0, 0, 0, 0)
        self.problems_label = QLabel(self.problems_box)
        self.problems_label.setObjectName(u"problems_label")
        self.problems_label.setWordWrap(True)

        self.problems_layout.addWidget(self.problems_label)

        self.problems_edit = QPlainTextEdit(self.problems_box)
        self.problems_edit.setObjectName(u"problems_edit")
        self.problems_edit.setReadOnly(True)
        self.problems_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.problems_edit.setTabChangesFocus(True)

        self.problems_layout.addWidget(self.problems_edit)


        self.form_layout.setWidget(6, QFormLayout.ItemRole.SpanningRole, self.problems_box)

        self.stage_label = QLabel(NewWorkspaceDialog)
        self.stage_label.setObjectName(u"stage_label")

        self.form_layout.setWidget(7, QFormLayout.ItemRole.LabelRole, self.stage_label)

        self.stage_combo = QComboBox(NewWorkspaceDialog)
        self.stage_combo.setObjectName(u"stage_combo")

        self.form_layout.setWidget(7, QFormLayout.ItemRole.FieldRole, self.stage_combo)

        self.password_label = QLabel(NewWorkspaceDialog)
        self.password_label.setObjectName(u"password_label")

        self.form_layout.setWidget(8, QFormLayout.ItemRole.LabelRole, self.password_label)

        self.password_edit = QLineEdit(NewWorkspaceDialog)
        self.password_edit.setObjectName(u"password_edit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)

        self.form_layout.setWidget(8, QFormLayout.ItemRole.FieldRole, self.password_edit)

        self.confirm_label = QLabel(NewWorkspaceDialog)
        self.confirm_label.setObjectName(u"confirm_label")

        self.form_layout.setWidget(9, QFormLayout.ItemRole.LabelRole, self.confirm_label)

        self.confirm_edit = QLineEdit(NewWorkspaceDialog)
        self.confirm_edit.setObjectName(u"confirm_edit")
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)

        self.form_layout.setWidget(9, QFormLayout.ItemRole.FieldRole, self.confirm_edit)


        self.dialog_layout.addLayout(self.form_layout)

        self.error_label = QLabel(NewWorkspaceDialog)
        self.error_label.setObjectName(u"error_label")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.dialog_layout.addWidget(self.error_label)

        self.bottom_spacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.dialog_layout.addItem(self.bottom_spacer)

        self.button_box = QDialogButtonBox(NewWorkspaceDialog)
        self.button_box.setObjectName(u"button_box")
        self.button_box.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Ok)

        self.dialog_layout.addWidget(self.button_box)

#if QT_CONFIG(shortcut)
        self.folder_label.setBuddy(self.folder_edit)
        self.name_label.setBuddy(self.name_edit)
        self.year_label.setBuddy(self.year_spin)
        self.kind_label.setBuddy(self.kind_combo)
        self.scheme_label.setBuddy(self.scheme_combo)
        self.problems_label.setBuddy(self.problems_edit)
        self.stage_label.setBuddy(self.stage_combo)
        self.password_label.setBuddy(self.password_edit)
        self.confirm_label.setBuddy(self.confirm_edit)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.folder_edit, self.folder_button)
        QWidget.setTabOrder(self.folder_button, self.name_edit)
        QWidget.setTabOrder(self.name_edit, self.year_spin)
        QWidget.setTabOrder(self.year_spin, self.kind_combo)
        QWidget.setTabOrder(self.kind_combo, self.scheme_combo)
        QWidget.setTabOrder(self.scheme_combo, self.scheme_import_button)
        QWidget.setTabOrder(self.scheme_import_button, self.problems_edit)
        QWidget.setTabOrder(self.problems_edit, self.stage_combo)
        QWidget.setTabOrder(self.stage_combo, self.password_edit)
        QWidget.setTabOrder(self.password_edit, self.confirm_edit)

        self.retranslateUi(NewWorkspaceDialog)

        QMetaObject.connectSlotsByName(NewWorkspaceDialog)
    # setupUi

    def retranslateUi(self, NewWorkspaceDialog):
        NewWorkspaceDialog.setWindowTitle(_("New evaluation batch"))
        self.intro_label.setText(_("A workspace holds one evaluation batch: its scheme, centres, experts and the returned scoresheets. Choose the kind of evaluation and a scheme of that kind, built in or imported from a scheme file. The batch key that signs the panel packages is kept under the password you choose here."))
        self.folder_label.setText(_("&Folder:"))
        self.folder_edit.setPlaceholderText(_("an empty or new folder"))
        self.folder_button.setText(_("Choose\u2026"))
        self.name_label.setText(_("Batch &name:"))
        self.year_label.setText(_("&Year:"))
        self.kind_label.setText(_("&Kind:"))
        self.scheme_label.setText(_("&Scheme:"))
        self.scheme_import_button.setText(_("&Import a scheme file\u2026"))
        self.stage_label.setText(_("S&tage:"))
        self.password_label.setText(_("&Password:"))
        self.confirm_label.setText(_("&Repeat password:"))
    # retranslateUi

