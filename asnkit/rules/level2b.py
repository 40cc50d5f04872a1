"""placeholder"""


def dms_level2b():
    return ()
