"""The shell's file I/O: postmortems found and read (never through a link, never past the size
limit), the tracker state file, the `ticket:` write-back, and the repo's templates."""
