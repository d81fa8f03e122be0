"""A small gazetteer of place names customers mention (provinces, cities, well-known districts
and hubs, countries), matched with HanLP's trie. Used for the `location` slot and to anchor hub
and station names (杭州 + 中转场)."""

PROVINCES = """北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西
山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古
广西 西藏 宁夏 新疆 香港 澳门""".split()

CITIES = """石家庄 台北 高雄 台中 台南 新竹 九龙 旺角 元朗 铜锣湾 尖沙咀 沙田 荃湾 澳门半岛
秦皇岛 承德 张家口 沧州 衡水 邢台 长治 晋中 运城 临汾 抚顺 本溪 丹东 锦州 营口 盘锦 葫芦岛
四平 延边 齐齐哈尔 牡丹江 佳木斯 徐州 马鞍山 安庆 阜阳 六安 黄山 宁德 龙岩 三明 南平
上饶 宜春 吉安 景德镇 东营 德州 聊城 菏泽 日照 泰安 枣庄 安阳 焦作 平顶山 许昌 周口 商丘
信阳 驻马店 十堰 荆州 黄冈 孝感 荆门 邵阳 郴州 永州 怀化 益阳 娄底 张家界 韶关 梅州 清远
阳江 茂名 潮州 河源 云浮 汕尾 乐山 泸州 达州 自贡 攀枝花 眉山 遂宁 六盘水 安顺 毕节 曲靖
玉溪 西双版纳 延安 榆林 汉中 渭南 天水 酒泉 嘉峪关 格尔木 石嘴山 吐鲁番 伊犁 克拉玛依
库尔勒 哈密 梧州 玉林 钦州 防城港 日喀则 林芝 鄂尔多斯 赤峰 通辽 呼伦贝尔 满洲里
唐山 保定 廊坊 邯郸 太原 大同 沈阳 大连 鞍山 长春 吉林 哈尔滨 大庆
南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁 昆山
杭州 宁波 温州 嘉兴 湖州 绍兴 金华 义乌 衢州 舟山 台州 丽水 合肥 芜湖 蚌埠
福州 厦门 泉州 莆田 漳州 南昌 赣州 九江 济南 青岛 烟台 潍坊 临沂 淄博 济宁
威海 郑州 洛阳 开封 新乡 南阳 武汉 宜昌 襄阳 长沙 株洲 湘潭 岳阳 常德 衡阳
广州 深圳 珠海 汕头 佛山 东莞 中山 惠州 江门 湛江 肇庆 揭阳 海口 三亚 成都
绵阳 德阳 宜宾 南充 贵阳 遵义 昆明 大理 丽江 西安 咸阳 宝鸡 兰州 西宁 银川
乌鲁木齐 喀什 南宁 桂林 柳州 北海 拉萨 呼和浩特 包头""".split()

DISTRICTS = """朝阳 海淀 东城 西城 丰台 通州 顺义 昌平 大兴 浦东 浦西 徐汇 静安 黄浦 闵行
嘉定 宝山 松江 青浦 虹桥 天河 白云 番禺 越秀 海珠 黄埔 福田 南山 宝安 龙岗
龙华 罗湖 西湖 余杭 萧山 拱墅 滨江 上城 江干 鼓楼 玄武 秦淮 江宁 武侯 锦江
青羊 金牛 成华 双流 洪山 江汉 武昌 汉口 汉阳 黄花 望京 中关村 陆家嘴 五道口
工业园区""".split()

COUNTRIES = """美国 日本 韩国 英国 德国 法国 意大利 西班牙 俄罗斯 澳大利亚 新西兰 加拿大
新加坡 马来西亚 泰国 越南 菲律宾 印度尼西亚 印尼 印度 巴西 墨西哥 荷兰 瑞士
瑞典 阿联酋 迪拜""".split()

# Cities as written in English or pinyin ("stuck in Hangzhou").
PINYIN = (
    "Beijing", "Shanghai", "Guangzhou", "Shenzhen", "Hangzhou", "Chengdu", "Chongqing", "Wuhan",
    "Nanjing", "Tianjin", "Suzhou", "Xiamen", "Qingdao", "Dalian", "Shenyang", "Harbin", "Xian",
    "Xi'an", "Changsha", "Zhengzhou", "Jinan", "Hefei", "Fuzhou", "Kunming", "Nanning",
    "Guiyang", "Lanzhou", "Urumqi", "Dongguan", "Foshan", "Ningbo", "Wenzhou", "Yiwu",
    "Hong Kong", "Macau", "Macao", "Taipei", "Kaohsiung",
)

# Brands that name a station or locker by themselves (菜鸟驿站, 丰巢柜, 妈妈驿站).
BRANDS = """菜鸟 丰巢 妈妈 兔喜 熊猫 中通 顺丰 京东 邮政 韵达 圆通 申通 极兔 德邦 百世""".split()

PLACES = tuple(dict.fromkeys(PROVINCES + CITIES + DISTRICTS + COUNTRIES))
