# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'about_dialog.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QMetaObject, QSize, Qt)
from PySide6.QtWidgets import (QDialogButtonBox, QHBoxLayout, QLabel, QSizePolicy, QTabWidget, QVBoxLayout)

from cmrc_desktop.i18n import _

class Ui_AboutDialog(object):
    def setupUi(self, AboutDialog):
        if not AboutDialog.objectName():
            AboutDialog.setObjectName(u"AboutDialog")
        AboutDialog.resize(760, 560)
        self.about_layout = QVBoxLayout(AboutDialog)
        self.about_layout.setSpacing(12)
        self.about_layout.setObjectName(u"about_layout")
        self.header_layout = QHBoxLayout()
        self.header_layout.setSpacing(16)
        self.header_layout.setObjectName(u"header_layout")
        self.icon_label = QLabel(AboutDialog)
        self.icon_label.setObjectName(u"icon_label")
        sizePolicy = QSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        sizePolicy.setHorizontalStretch(0)
        sizePolicy.setVerticalStretch(0)
        sizePolicy.setHeightForWidth(self.icon_label.sizePolicy().hasHeightForWidth())
        self.icon_label.setSizePolicy(sizePolicy)
        self.icon_label.setMinimumSize(QSize(64, 64))
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignTop)

        self.header_layout.addWidget(self.icon_label)

        self.title_layout = QVBoxLayout()
        self.title_layout.setSpacing(4)
        self.title_layout.setObjectName(u"title_layout")
        self.title_label = QLabel(AboutDialog)
        self.title_label.setObjectName(u"title_label")
        self.title_label.setText(u"CMRC Desktop")

        self.title_layout.addWidget(self.title_label)

        self.version_label = QLabel(AboutDialog)
        self.version_label.setObjectName(u"version_label")
        self.version_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.title_layout.addWidget(self.version_label)

        self.description_label = QLabel(AboutDialog)
        self.description_label.setObjectName(u"description_label")
        self.description_label.setWordWrap(True)

        self.title_layout.addWidget(self.description_label)


        self.header_layout.addLayout(self.title_layout)


        self.about_layout.addLayout(self.header_layout)

        self.licences_label = QLabel(AboutDialog)
        self.licences_label.setObjectName(u"licences_label")

        self.about_layout.addWidget(self.licences_label)

        self.licence_tabs = QTabWidget(AboutDialog)
        self.licence_tabs.setObjectName(u"licence_tabs")
        self.licence_tabs.setDocumentMode(True)

        self.about_layout.addWidget(self.licence_tabs)

        self.button_box = QDialogButtonBox(AboutDialog)
        self.button_box.setObjectName(u"button_box")
        self.button_box.setStandardButtons(QDialogButtonBox.StandardButton.Close)

        self.about_layout.addWidget(self.button_box)


        self.retranslateUi(AboutDialog)
        self.button_box.rejected.connect(AboutDialog.reject)

        QMetaObject.connectSlotsByName(AboutDialog)
    # setupUi

    def retranslateUi(self, AboutDialog):
        AboutDialog.setWindowTitle(_("About CMRC Desktop"))
        self.description_label.setText(_("Offline scoring, signing and consolidation for the expert panels that evaluate clinical research centres."))
        self.licences_label.setText(_("Licences of the components shipped with this program:"))
    # retranslateUi

