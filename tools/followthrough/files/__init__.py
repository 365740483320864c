"""The shell's file I/O: postmortems found and read (never through a link, never past the size
limit), every write made whole or not at all (`atomic`), the tracker state file, the `ticket:`
write-back, and the repo's templates."""
