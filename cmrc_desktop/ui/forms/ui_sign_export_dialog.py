# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'sign_export_dialog.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QMetaObject, Qt)
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QSpacerItem, QTreeWidget, QVBoxLayout, QWidget)

from cmrc_desktop.ui.signature_pad import SignaturePad

from cmrc_desktop.i18n import _

class Ui_SignExportDialog(object):
    def setupUi(self, SignExportDialog):
        if not SignExportDialog.objectName():
            SignExportDialog.setObjectName(u"SignExportDialog")
        SignExportDialog.resize(640, 720)
        self.dialog_layout = QVBoxLayout(SignExportDialog)
        self.dialog_layout.setSpacing(10)
        self.dialog_layout.setObjectName(u"dialog_layout")
        self.intro_label = QLabel(SignExportDialog)
        self.intro_label.setObjectName(u"intro_label")
        self.intro_label.setWordWrap(True)

        self.dialog_layout.addWidget(self.intro_label)

        self.sheets_group = QGroupBox(SignExportDialog)
        self.sheets_group.setObjectName(u"sheets_group")
        self.sheets_layout = QVBoxLayout(self.sheets_group)
        self.sheets_layout.setObjectName(u"sheets_layout")
        self.centre_label = QLabel(self.sheets_group)
        self.centre_label.setObjectName(u"centre_label")
        self.centre_label.setWordWrap(True)
        self.centre_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.sheets_layout.addWidget(self.centre_label)

        self.sheets_label = QLabel(self.sheets_group)
        self.sheets_label.setObjectName(u"sheets_label")
        self.sheets_label.setWordWrap(True)
        self.sheets_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.sheets_layout.addWidget(self.sheets_label)

        self.sheets_list = QTreeWidget(self.sheets_group)
        self.sheets_list.setObjectName(u"sheets_list")
        self.sheets_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.sheets_list.setAlternatingRowColors(True)
        self.sheets_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sheets_list.setRootIsDecorated(False)
        self.sheets_list.setUniformRowHeights(True)
        self.sheets_list.setAllColumnsShowFocus(True)

        self.sheets_layout.addWidget(self.sheets_list)


        self.dialog_layout.addWidget(self.sheets_group)

        self.sign_group = QGroupBox(SignExportDialog)
        self.sign_group.setObjectName(u"sign_group")
        self.sign_layout = QVBoxLayout(self.sign_group)
        self.sign_layout.setObjectName(u"sign_layout")
        self.pad_label = QLabel(self.sign_group)
        self.pad_label.setObjectName(u"pad_label")
        self.pad_label.setWordWrap(True)

        self.sign_layout.addWidget(self.pad_label)

        self.signature_pad = SignaturePad(self.sign_group)
        self.signature_pad.setObjectName(u"signature_pad")

        self.sign_layout.addWidget(self.signature_pad)

        self.pad_buttons_layout = QHBoxLayout()
        self.pad_buttons_layout.setObjectName(u"pad_buttons_layout")
        self.pad_buttons_spacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.pad_buttons_layout.addItem(self.pad_buttons_spacer)

        self.undo_button = QPushButton(self.sign_group)
        self.undo_button.setObjectName(u"undo_button")

        self.pad_buttons_layout.addWidget(self.undo_button)

        self.clear_button = QPushButton(self.sign_group)
        self.clear_button.setObjectName(u"clear_button")

        self.pad_buttons_layout.addWidget(self.clear_button)


        self.sign_layout.addLayout(self.pad_buttons_layout)

        self.password_layout = QFormLayout()
        self.password_layout.setObjectName(u"password_layout")
        self.password_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.password_label = QLabel(self.sign_group)
        self.password_label.setObjectName(u"password_label")

        self.password_layout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.password_label)

        self.password_edit = QLineEdit(self.sign_group)
        self.password_edit.setObjectName(u"password_edit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)

        self.password_layout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.password_edit)


        self.sign_layout.addLayout(self.password_layout)

        self.key_label = QLabel(self.sign_group)
        self.key_label.setObjectName(u"key_label")
        self.key_label.setWordWrap(True)

        self.sign_layout.addWidget(self.key_label)


        self.dialog_layout.addWidget(self.sign_group)

        self.export_group = QGroupBox(SignExportDialog)
        self.export_group.setObjectName(u"export_group")
        self.export_layout = QFormLayout(self.export_group)
        self.export_layout.setObjectName(u"export_layout")
        self.export_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.folder_label = QLabel(self.export_group)
        self.folder_label.setObjectName(u"folder_label")

        self.export_layout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.folder_label)

        self.folder_layout = QHBoxLayout()
        self.folder_layout.setObjectName(u"folder_layout")
        self.folder_edit = QLineEdit(self.export_group)
        self.folder_edit.setObjectName(u"folder_edit")

        self.folder_layout.addWidget(self.folder_edit)

        self.folder_button = QPushButton(self.export_group)
        self.folder_button.setObjectName(u"folder_button")

        self.folder_layout.addWidget(self.folder_button)


        self.export_layout.setLayout(0, QFormLayout.ItemRole.FieldRole, self.folder_layout)

        self.formats_label = QLabel(self.export_group)
        self.formats_label.setObjectName(u"formats_label")

        self.export_layout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.formats_label)

        self.formats_layout = QHBoxLayout()
        self.formats_layout.setObjectName(u"formats_layout")
        self.xlsx_check = QCheckBox(self.export_group)
        self.xlsx_check.setObjectName(u"xlsx_check")
        self.xlsx_check.setChecked(True)

        self.formats_layout.addWidget(self.xlsx_check)

        self.pdf_check = QCheckBox(self.export_group)
        self.pdf_check.setObjectName(u"pdf_check")
        self.pdf_check.setChecked(True)

        self.formats_layout.addWidget(self.pdf_check)

        self.formats_spacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.formats_layout.addItem(self.formats_spacer)


        self.export_layout.setLayout(1, QFormLayout.ItemRole.FieldRole, self.formats_layout)


        self.dialog_layout.addWidget(self.export_group)

        self.status_label = QLabel(SignExportDialog)
        self.status_label.setObjectName(u"status_label")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.dialog_layout.addWidget(self.status_label)

        self.bottom_spacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.dialog_layout.addItem(self.bottom_spacer)

        self.button_box = QDialogButtonBox(SignExportDialog)
        self.button_box.setObjectName(u"button_box")
        self.button_box.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Ok)

        self.dialog_layout.addWidget(self.button_box)

#if QT_CONFIG(shortcut)
        self.password_label.setBuddy(self.password_edit)
        self.folder_label.setBuddy(self.folder_edit)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.sheets_list, self.signature_pad)
        QWidget.setTabOrder(self.signature_pad, self.undo_button)
        QWidget.setTabOrder(self.undo_button, self.clear_button)
        QWidget.setTabOrder(self.clear_button, self.password_edit)
        QWidget.setTabOrder(self.password_edit, self.folder_edit)
        QWidget.setTabOrder(self.folder_edit, self.folder_button)
        QWidget.setTabOrder(self.folder_button, self.xlsx_check)
        QWidget.setTabOrder(self.xlsx_check, self.pdf_check)

        self.retranslateUi(SignExportDialog)

        QMetaObject.connectSlotsByName(SignExportDialog)
    # setupUi

    def retranslateUi(self, SignExportDialog):
        SignExportDialog.setWindowTitle(_("Finalise, sign and export"))
        self.intro_label.setText(_("Finalising locks the sheet. Signing seals it with your key. The exported files are read back and verified before you are told they are done."))
        self.sheets_group.setTitle(_("1  Finalise"))
        ___qtreewidgetitem = self.sheets_list.headerItem()
        ___qtreewidgetitem.setText(2, _("What will be done"))
        ___qtreewidgetitem.setText(1, _("Centre name"))
        ___qtreewidgetitem.setText(0, _("Centre ID"))
        self.sign_group.setTitle(_("2  Sign"))
        self.pad_label.setText(_("Draw your signature with the mouse, a pen or a finger (optional): it is printed on the sheet beside the digital signature."))
        self.undo_button.setText(_("&Undo stroke"))
        self.clear_button.setText(_("C&lear"))
        self.password_label.setText(_("Your &password:"))
        self.password_edit.setPlaceholderText(_("the password that protects your signing key"))
        self.export_group.setTitle(_("3  Export"))
        self.folder_label.setText(_("&Folder:"))
        self.folder_edit.setPlaceholderText(_("a folder or a USB stick"))
        self.folder_button.setText(_("Choose\u2026"))
        self.formats_label.setText(_("Formats:"))
        self.xlsx_check.setText(_("&Excel (.xlsx)"))
        self.pdf_check.setText(_("P&DF (.pdf)"))
    # retranslateUi

