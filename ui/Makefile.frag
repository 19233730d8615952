# ui/: display surface, SDL window, headless display.
lib-srcs += $(wildcard ui/*.c)
