func.func private @f() attributes {hdp.cfg = #hdp.config<policy = topk, topk = 0>}
