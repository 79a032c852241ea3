BPCORE_SOURCES += core/pci.c core/pci-internal.h core/machine-sdk.c
