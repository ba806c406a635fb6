"""Size limits for evidence, read from the settings (archive limits have safe defaults)."""

from __future__ import annotations

from dataclasses import dataclass

from sxr.config import Settings


class EvidenceRejected(Exception):
    """A file that will not be stored, with a plain sentence saying why (shown to victims)."""


@dataclass(frozen=True)
class EvidenceLimits:
    """How much one file, one case and one upload may hold, and what an archive may unpack to."""

    max_file_bytes: int = 512 * 1024 * 1024
    max_case_bytes: int = 4 * 1024 * 1024 * 1024
    max_upload_files: int = 200
    max_image_pixels: int = 100_000_000
    max_archive_members: int = 10_000
    max_archive_unpacked_bytes: int = 2 * 1024 * 1024 * 1024
    max_archive_ratio: int = 100

    @classmethod
    def from_settings(cls, settings: Settings) -> EvidenceLimits:
        # Archive and image limits are not Settings fields yet: honour them when the lead adds them.
        defaults = cls()
        return cls(
            max_file_bytes=settings.max_file_bytes,
            max_case_bytes=settings.max_case_bytes,
            max_upload_files=settings.max_upload_files,
            max_image_pixels=getattr(settings, "max_image_pixels", defaults.max_image_pixels),
            max_archive_members=getattr(settings, "max_archive_members", defaults.max_archive_members),
            max_archive_unpacked_bytes=getattr(
                settings, "max_archive_unpacked_bytes", defaults.max_archive_unpacked_bytes
            ),
            max_archive_ratio=getattr(settings, "max_archive_ratio", defaults.max_archive_ratio),
        )
