from studio import permissions
from studio.timezones import studio_tz


def studio(request):
    """Expose the studio's time zone and the viewer's roles to every template."""
    user = request.user
    return {
        "STUDIO_TIME_ZONE": studio_tz().key,
        "viewer_is_front_desk": permissions.can_use_front_desk(user),
        "viewer_manages_catalogue": permissions.can_manage_catalogue(user),
        "viewer_is_owner": permissions.is_owner(user),
        "viewer_therapist": permissions.therapist_of(user),
    }
