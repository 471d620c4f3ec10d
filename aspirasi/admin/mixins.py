from aspirasi import public_list


class ChangesPublicList:
    """For models whose names the public proposals list shows (areas, categories, target groups,
    programs, authors): an edit in the admin moves the list's version, so no cached item keeps the old name."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        public_list.mark_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        public_list.mark_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        public_list.mark_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        public_list.mark_changed()
