import CLevelDB
