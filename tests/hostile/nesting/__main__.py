from tests.hostile.nesting import write_files

write_files()
